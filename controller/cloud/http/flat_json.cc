#include "cloud/http/flat_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstring>

#include "cloud/http/json_fields.h"
#include "cloud/http/json_scan.h"

namespace converge::cloud::http {
namespace {

using json = nlohmann::json;

// Equal texts. Keys differ mostly in length or at an end, so those are
// compared before the bytes (a key is looked up some million times a sweep).
bool SameText(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         (a.empty() || (a.front() == b.front() && a.back() == b.back() &&
                        std::memcmp(a.data(), b.data(), a.size()) == 0));
}

// Keys are mostly views of the same static list entry: the same pointer is
// the same key without comparing its text.
bool SameKey(std::string_view a, std::string_view b) {
  return (a.data() == b.data() && a.size() == b.size()) || SameText(a, b);
}

// The entry of `keys` equal to `key` (a view of the static list), or "".
std::string_view Lookup(std::span<const std::string_view> keys, std::string_view key) {
  for (std::string_view k : keys) {
    if (SameText(k, key)) return k;
  }
  return {};
}

std::optional<int64_t> DecimalInteger(std::string_view s) {
  int64_t out = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || ptr != s.data() + s.size()) return std::nullopt;
  return out;
}

std::optional<int64_t> FloatInteger(double d) {
  if (std::isfinite(d) && std::trunc(d) == d) return static_cast<int64_t>(d);
  return std::nullopt;
}

JsonKind KindOf(const json& value) {
  if (value.is_null()) return JsonKind::kNull;
  if (value.is_object()) return JsonKind::kObject;
  if (value.is_array()) return JsonKind::kArray;
  return JsonKind::kScalar;
}

// The SAX reader: a stack of what each open container is, and the kept key the
// next value belongs to ("" when it is not kept).
class Reader final : public nlohmann::json_sax<json> {
 public:
  explicit Reader(const ListShape& shape) : shape_(shape) {
    arrays_.resize(shape.item_arrays.size());
    array_kinds_.assign(shape.item_arrays.size(), JsonKind::kAbsent);
  }

  FlatListAnswer Finish() {
    if (out_.data == JsonKind::kObject) {
      for (size_t i = 0; i < arrays_.size(); ++i) {
        if (array_kinds_[i] == JsonKind::kAbsent || array_kinds_[i] == JsonKind::kNull) continue;
        out_.items_kind = array_kinds_[i];
        if (array_kinds_[i] == JsonKind::kArray) out_.items = std::move(arrays_[i]);
        break;
      }
    }
    return std::move(out_);
  }

  // A scalar's text is made only when its member is kept; a string is copied,
  // not moved, so the lexer keeps its buffer for the next token.
  bool null() override {
    Value(JsonKind::kNull, [] { return Scalar{}; });
    return true;
  }
  bool boolean(bool val) override {
    Value(JsonKind::kScalar, [val] { return Scalar{val ? "true" : "false", std::nullopt}; });
    return true;
  }
  bool number_integer(number_integer_t val) override {
    Value(JsonKind::kScalar, [val] { return Scalar{std::to_string(val), val}; });
    return true;
  }
  bool number_unsigned(number_unsigned_t val) override {
    Value(JsonKind::kScalar, [val] {
      return Scalar{std::to_string(val), static_cast<int64_t>(val)};
    });
    return true;
  }
  bool number_float(number_float_t val, const string_t&) override {
    Value(JsonKind::kScalar, [val] {
      const json number(val);
      return Scalar{ScalarText(&number), FloatInteger(val)};
    });
    return true;
  }
  bool string(string_t& val) override {
    Value(JsonKind::kScalar, [&val] { return Scalar{val, DecimalInteger(val)}; });
    return true;
  }
  bool binary(binary_t&) override { return true; }
  bool start_object(std::size_t) override {
    Open(JsonKind::kObject);
    return true;
  }
  bool start_array(std::size_t) override {
    Open(JsonKind::kArray);
    return true;
  }
  bool end_object() override { return Close(); }
  bool end_array() override { return Close(); }
  bool key(string_t& val) override {
    switch (stack_.empty() ? Ctx::kSkip : stack_.back()) {
      case Ctx::kRoot:
        key_ = val == shape_.data_key ? shape_.data_key : Lookup(shape_.envelope_keys, val);
        break;
      case Ctx::kData:
        array_ = -1;
        for (size_t i = 0; i < shape_.item_arrays.size(); ++i) {
          if (shape_.item_arrays[i] == val) array_ = static_cast<int>(i);
        }
        key_ = Lookup(shape_.data_keys, val);
        break;
      case Ctx::kItem:
        key_ = Lookup(shape_.item_keys, val);
        break;
      default:
        key_ = {};
        break;
    }
    return true;
  }
  bool parse_error(std::size_t, const std::string&, const nlohmann::detail::exception&) override {
    return false;
  }

 private:
  enum class Ctx { kRoot, kData, kItems, kItem, kSkip };

  bool IsDataKey() const { return !key_.empty() && key_.data() == shape_.data_key.data(); }

  // A scalar's text (as ScalarText writes it) and its integer reading.
  struct Scalar {
    std::optional<std::string> text;
    std::optional<int64_t> integer;
  };

  // A scalar (or null) at the current position; `scalar` makes its text.
  template <typename MakeScalar>
  void Value(JsonKind kind, const MakeScalar& scalar) {
    if (stack_.empty()) return;
    switch (stack_.back()) {
      case Ctx::kRoot:
        if (IsDataKey()) {
          ResetData(kind);
        } else if (!key_.empty()) {
          Put(out_.envelope, kind, scalar);
        }
        break;
      case Ctx::kData:
        if (array_ >= 0) {
          array_kinds_[array_] = kind;
          arrays_[array_].clear();
        }
        if (!key_.empty()) Put(out_.data_members, kind, scalar);
        break;
      case Ctx::kItems:
        target_->emplace_back();  // not an object: an item without members
        break;
      case Ctx::kItem:
        if (!key_.empty()) Put(target_->back(), kind, scalar);
        break;
      case Ctx::kSkip:
        break;
    }
  }

  template <typename MakeScalar>
  void Put(FlatObject& obj, JsonKind kind, const MakeScalar& scalar) {
    if (kind == JsonKind::kNull) {
      obj.Erase(key_);  // null is absent, and overrides an earlier value
      return;
    }
    Scalar s = scalar();
    obj.Set(key_, std::move(s.text), s.integer);
  }

  // A container opens at the current position.
  void Open(JsonKind kind) {
    if (stack_.empty()) {
      stack_.push_back(kind == JsonKind::kObject && !root_seen_ ? Ctx::kRoot : Ctx::kSkip);
      root_seen_ = true;
      return;
    }
    Ctx next = Ctx::kSkip;
    switch (stack_.back()) {
      case Ctx::kRoot:
        if (IsDataKey()) {
          ResetData(kind);
          if (kind == JsonKind::kObject) {
            next = Ctx::kData;
          } else {
            out_.items_kind = JsonKind::kArray;
            target_ = &out_.items;
            next = Ctx::kItems;
          }
        } else if (!key_.empty()) {
          out_.envelope.Set(key_, std::nullopt);
        }
        break;
      case Ctx::kData:
        if (!key_.empty()) out_.data_members.Set(key_, std::nullopt);
        if (array_ >= 0) {
          array_kinds_[array_] = kind;
          arrays_[array_].clear();
          if (kind == JsonKind::kArray) {
            target_ = &arrays_[array_];
            next = Ctx::kItems;
          }
        }
        break;
      case Ctx::kItems:
        target_->emplace_back();
        if (kind == JsonKind::kObject) {
          target_->back().Reserve(shape_.item_keys.size());
          next = Ctx::kItem;
        }
        break;
      case Ctx::kItem:
        if (!key_.empty()) target_->back().Set(key_, std::nullopt);
        break;
      case Ctx::kSkip:
        break;
    }
    stack_.push_back(next);
    key_ = {};
  }

  bool Close() {
    stack_.pop_back();
    key_ = {};
    return true;
  }

  // envelope.data seen (again: the last one counts, as in a tree).
  void ResetData(JsonKind kind) {
    out_.data = kind;
    out_.data_members = FlatObject();
    out_.items_kind = JsonKind::kAbsent;
    out_.items.clear();
    for (auto& a : arrays_) a.clear();
    std::fill(array_kinds_.begin(), array_kinds_.end(), JsonKind::kAbsent);
  }

  const ListShape& shape_;
  FlatListAnswer out_;
  std::vector<Ctx> stack_;
  bool root_seen_ = false;
  std::string_view key_;
  int array_ = -1;  // which of item_arrays the current data key is, or -1
  std::vector<std::vector<FlatObject>> arrays_;
  std::vector<JsonKind> array_kinds_;
  std::vector<FlatObject>* target_ = nullptr;  // the items array being read
};

}  // namespace

FlatObject::Member* FlatObject::Find(std::string_view key) {
  for (Member& m : members_) {
    if (SameKey(m.key, key)) return &m;
  }
  return nullptr;
}

const FlatObject::Member* FlatObject::Find(std::string_view key) const {
  for (const Member& m : members_) {
    if (SameKey(m.key, key)) return &m;
  }
  return nullptr;
}

const std::string* FlatObject::Text(std::string_view key) const {
  const Member* m = Find(key);
  return m != nullptr && m->scalar ? &m->text : nullptr;
}

std::string* FlatObject::Text(std::string_view key) {
  Member* m = Find(key);
  return m != nullptr && m->scalar ? &m->text : nullptr;
}

std::string FlatObject::Take(std::string_view key) {
  Member* m = Find(key);
  return m != nullptr && m->scalar ? std::move(m->text) : std::string();
}

std::optional<int64_t> FlatObject::Integer(std::string_view key) const {
  const Member* m = Find(key);
  return m != nullptr ? m->integer : std::nullopt;
}

bool FlatObject::Has(std::string_view key) const { return Find(key) != nullptr; }

void FlatObject::Set(std::string_view key, std::optional<std::string> text,
                     std::optional<int64_t> integer) {
  Member* m = Find(key);
  if (m == nullptr) m = &members_.emplace_back();
  m->key = key;
  m->scalar = text.has_value();
  m->text = text ? std::move(*text) : std::string();
  m->integer = integer;
}

void FlatObject::Erase(std::string_view key) {
  std::erase_if(members_, [&](const Member& m) { return SameKey(m.key, key); });
}

FlatObject FlatObject::Of(const nlohmann::json& obj, std::span<const std::string_view> keys) {
  FlatObject out;
  if (!obj.is_object()) return out;
  for (std::string_view key : keys) {
    const json* value = Field(obj, key);
    if (value == nullptr) continue;
    out.Set(key, ScalarText(value), IntegerOf(value));
  }
  return out;
}

std::optional<FlatListAnswer> ReadFlatListAnswer(std::string_view text, const ListShape& shape) {
  Reader reader(shape);
  if (!ScanJson(text, &reader)) return std::nullopt;
  return reader.Finish();
}

FlatListAnswer FlatListDataOf(const nlohmann::json& data, const ListShape& shape) {
  FlatListAnswer out;
  out.data = KindOf(data);
  auto items_of = [&](const json& array) {
    out.items_kind = JsonKind::kArray;
    out.items.reserve(array.size());
    for (const json& item : array) out.items.push_back(FlatObject::Of(item, shape.item_keys));
  };
  if (data.is_array()) {
    items_of(data);
  } else if (data.is_object()) {
    out.data_members = FlatObject::Of(data, shape.data_keys);
    for (std::string_view key : shape.item_arrays) {
      const json* items = Field(data, key);
      if (items == nullptr) continue;
      if (items->is_array()) {
        items_of(*items);
      } else {
        out.items_kind = KindOf(*items);
      }
      break;
    }
  }
  return out;
}

}  // namespace converge::cloud::http

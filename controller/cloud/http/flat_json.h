// A list answer read in one pass (nlohmann's SAX interface) straight into flat
// items: no JSON tree is built, only the members an adapter asked for are kept,
// and each keeps its value as text. A list sweep of 10,000 resources reads some
// megabytes of JSON per resync; building a tree of it first cost most of the
// parse. The tree route (FlatObject::Of) gives the same flat items, so one
// parser per adapter serves both a list page and a single detail answer.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace converge::cloud::http {

// Some members of one JSON object. Keys are views of the caller's static key
// lists (a FlatObject holds only the keys it was asked for). A member holding
// text holds a scalar as ScalarText (json_fields.h) writes it; one holding an
// object or an array is present without text. Null members are absent. A key
// seen twice keeps its last value, as nlohmann's tree does.
class FlatObject {
 public:
  // The text of `key`; nullptr when absent or not a scalar.
  const std::string* Text(std::string_view key) const;
  // The same, to move from (an adapter building an Observed).
  std::string* Text(std::string_view key);
  // The text of `key` moved out, or "" (for building an Observed without copies).
  std::string Take(std::string_view key);
  // The member as IntegerOf (json_fields.h) reads it: an integer, an integral
  // float or a decimal string; nullopt otherwise.
  std::optional<int64_t> Integer(std::string_view key) const;
  // Present and not null (an object or an array counts).
  bool Has(std::string_view key) const;
  // `key` must outlive the object (a literal or a static list's entry). `text`
  // nullopt: an object or an array.
  void Set(std::string_view key, std::optional<std::string> text,
           std::optional<int64_t> integer = std::nullopt);
  void Erase(std::string_view key);
  bool empty() const { return members_.empty(); }
  // Room for n members (a list item: its shape's kept keys), one allocation.
  void Reserve(size_t n) { members_.reserve(n); }

  // The members of `obj` named in `keys` (nothing when obj is not an object).
  static FlatObject Of(const nlohmann::json& obj, std::span<const std::string_view> keys);

 private:
  struct Member {
    std::string_view key;
    std::string text;
    bool scalar = false;
    std::optional<int64_t> integer;
  };
  Member* Find(std::string_view key);
  const Member* Find(std::string_view key) const;
  std::vector<Member> members_;
};

// What kind of value a member held.
enum class JsonKind { kAbsent, kNull, kObject, kArray, kScalar };

// Where a list answer keeps its items: envelope.<data_key> is either the array
// of items or an object holding the array under the first of `item_arrays`
// that is not null, beside its other members.
struct ListShape {
  std::span<const std::string_view> envelope_keys;  // scalar members of the envelope kept
  std::string_view data_key;
  std::span<const std::string_view> item_arrays;
  std::span<const std::string_view> data_keys;  // members of data (an object) kept
  std::span<const std::string_view> item_keys;  // members of each item kept
};

// One list answer, flattened.
struct FlatListAnswer {
  FlatObject envelope;
  JsonKind data = JsonKind::kAbsent;
  FlatObject data_members;  // when data is an object
  // The items array: data itself when an array, else the first of item_arrays
  // that is present and not null, when that is an array. Elements that are not
  // objects are empty items.
  JsonKind items_kind = JsonKind::kAbsent;
  std::vector<FlatObject> items;
};

// Reads `text` in one pass; nullopt when it is not JSON. A root that is not an
// object gives an empty envelope.
std::optional<FlatListAnswer> ReadFlatListAnswer(std::string_view text, const ListShape& shape);

// The same from a tree already parsed: `data` is envelope.<data_key> (the
// envelope itself is left empty).
FlatListAnswer FlatListDataOf(const nlohmann::json& data, const ListShape& shape);

}  // namespace converge::cloud::http

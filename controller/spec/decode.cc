#include "spec/decode.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>

#include "spec/field.h"

namespace converge::spec {
namespace {

using nlohmann::json;

constexpr char kSecretHint[] = "use {fromEnv: NAME} or {fromFile: PATH}";

enum class ScalarKind { kString, kInteger, kFloat, kBoolean, kNull };

bool MatchesRegex(const std::string& value, const std::string& pattern) {
  static std::map<std::string, std::regex>* cache = new std::map<std::string, std::regex>();
  auto it = cache->find(pattern);
  if (it == cache->end()) it = cache->emplace(pattern, std::regex(pattern)).first;
  return std::regex_search(value, it->second);
}

// YAML 1.2 core schema resolution of a scalar; quoted scalars are strings.
ScalarKind Resolve(const YAML::Node& node) {
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag == "!" || tag == "tag:yaml.org,2002:str") return ScalarKind::kString;
  if (tag == "tag:yaml.org,2002:int") return ScalarKind::kInteger;
  if (tag == "tag:yaml.org,2002:float") return ScalarKind::kFloat;
  if (tag == "tag:yaml.org,2002:bool") return ScalarKind::kBoolean;
  if (tag == "tag:yaml.org,2002:null") return ScalarKind::kNull;
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" ||
      s == "FALSE") {
    return ScalarKind::kBoolean;
  }
  static const std::regex kInt("^[-+]?[0-9]+$|^0o[0-7]+$|^0x[0-9a-fA-F]+$");
  static const std::regex kFloat(
      "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$|^[-+]?\\.(inf|Inf|INF)$|"
      "^\\.(nan|NaN|NAN)$");
  if (s.size() < 64 && std::regex_match(s, kInt)) return ScalarKind::kInteger;
  if (s.size() < 64 && std::regex_match(s, kFloat)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

std::string Describe(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Sequence: return "a sequence";
    case YAML::NodeType::Map: return "a mapping";
    case YAML::NodeType::Scalar:
      switch (Resolve(node)) {
        case ScalarKind::kString: return "a string";
        case ScalarKind::kInteger:
        case ScalarKind::kFloat: return "a number";
        case ScalarKind::kBoolean: return "a boolean";
        case ScalarKind::kNull: return "null";
      }
      return "a string";
    default: return "null";
  }
}

std::string Quote(std::string_view s) {
  constexpr size_t kMax = 80;
  std::string out = "\"";
  out += s.substr(0, kMax);
  if (s.size() > kMax) out += "...";
  out += "\"";
  return out;
}

std::string FormatNumber(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e15) return std::to_string(static_cast<long long>(v));
  std::string s = std::to_string(v);
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

std::string Join(const std::vector<std::string>& items, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < items.size(); ++i) {
    if (i > 0) out += sep;
    out += items[i];
  }
  return out;
}

std::vector<std::string> FieldNames(const std::vector<Field>& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

// Counts nodes as a walk would visit them (aliases expanded), stopping early.
bool WithinBudget(const YAML::Node& node, size_t* budget, int depth) {
  if (*budget == 0 || depth > 256) return false;
  --*budget;
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!WithinBudget(it->first, budget, depth + 1)) return false;
      if (!WithinBudget(it->second, budget, depth + 1)) return false;
    }
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      if (!WithinBudget(*it, budget, depth + 1)) return false;
    }
  }
  return true;
}

class Decoder {
 public:
  Decoder(std::string file, std::vector<Diagnostic>* errors, DecodedDocument* doc)
      : file_(std::move(file)), errors_(errors), doc_(doc) {}

  void Run(const YAML::Node& root, const LoadOptions& options);

 private:
  Location Loc(const YAML::Node& node) const {
    const YAML::Mark m = node.Mark();
    if (m.is_null() || m.line < 0) return {file_, 0, 0};
    return {file_, m.line + 1, m.column + 1};
  }
  // Where a value is; null values (an empty `key:`) have no useful mark of their own.
  Location ValueLoc(const YAML::Node& value, const Location& key_loc) const {
    if (!value.IsDefined() || value.IsNull()) return key_loc;
    Location l = Loc(value);
    return l.line == 0 ? key_loc : l;
  }

  void Error(const Location& loc, const std::string& path, std::string message) {
    errors_->push_back(Diagnostic{.location = loc,
                                  .kind = doc_->kind ? std::string(KindName(*doc_->kind)) : "",
                                  .name = doc_->name,
                                  .field = path,
                                  .message = std::move(message)});
    had_error_ = true;
  }
  void ErrorAt(const std::string& path, std::string message) {
    Error(doc_->LocationOf(path), path, std::move(message));
  }
  bool Present(const std::string& path) const { return doc_->locations.count(path) > 0; }

  std::optional<json> Walk(const YAML::Node& node, const Field& f, const std::string& path,
                           const Location& loc, bool sensitive);
  std::optional<json> WalkObject(const YAML::Node& node, const std::vector<Field>& fields,
                                 const std::string& path, const Location& loc, bool sensitive);
  std::optional<json> WalkString(const YAML::Node& node, const Field& f, const std::string& path,
                                 const Location& loc, bool sensitive);
  std::optional<json> WalkStringMap(const YAML::Node& node, const Field& f,
                                    const std::string& path, const Location& loc);
  std::optional<json> WalkSecret(const YAML::Node& node, const std::string& path,
                                 const Location& loc);
  void CheckFormat(const std::string& value, const Field& f, const std::string& path,
                   const Location& loc);
  bool CheckRange(double value, const Field& f, const std::string& path, const Location& loc);
  void ReadLabels(const YAML::Node& root);
  bool CheckHeader(const YAML::Node& root);

  void CheckProvider();
  void CheckContainerInstance();
  void CheckTiOneNotebook();
  void BuildObject();

  const json* Get(const std::string& dotted) const;

  std::string file_;
  std::vector<Diagnostic>* errors_;
  DecodedDocument* doc_;
  bool had_error_ = false;
};

const YAML::Node* FindKey(const YAML::Node& map, std::string_view key, YAML::Node* storage) {
  if (!map.IsMap()) return nullptr;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (it->first.IsScalar() && it->first.Scalar() == key) {
      *storage = it->second;
      return storage;
    }
  }
  return nullptr;
}

void Decoder::ReadLabels(const YAML::Node& root) {
  YAML::Node kind, metadata, name;
  if (FindKey(root, "kind", &kind) && kind.IsScalar()) doc_->kind = ParseKind(kind.Scalar());
  if (FindKey(root, "metadata", &metadata) && FindKey(metadata, "name", &name) &&
      name.IsScalar() && Resolve(name) == ScalarKind::kString) {
    doc_->name = name.Scalar().substr(0, 100);
  }
}

// apiVersion and kind; returns false when the kind is unknown (nothing else is checked).
bool Decoder::CheckHeader(const YAML::Node& root) {
  YAML::Node kind;
  if (!FindKey(root, "kind", &kind)) {
    Error(doc_->location, "kind", "required field is missing");
  } else if (!kind.IsScalar() || Resolve(kind) != ScalarKind::kString) {
    Error(Loc(kind), "kind", "expected a string, got " + Describe(kind));
  } else if (!doc_->kind) {
    std::vector<std::string> kinds;
    for (Kind k : kAllKinds) kinds.emplace_back(KindName(k));
    const std::string guess = ClosestMatch(kind.Scalar(), kinds);
    Error(Loc(kind), "kind",
          "unknown kind " + Quote(kind.Scalar()) +
              (guess.empty() ? "; expected one of " + Join(kinds, ", ")
                             : " (did you mean \"" + guess + "\"?)"));
  }
  if (doc_->kind) return true;
  YAML::Node api;
  if (!FindKey(root, "apiVersion", &api)) {
    Error(doc_->location, "apiVersion", "required field is missing");
  } else if (!api.IsScalar() || api.Scalar() != kApiVersion) {
    Error(ValueLoc(api, doc_->location), "apiVersion",
          std::string("must be \"") + kApiVersion + "\", got " +
              (api.IsScalar() ? Quote(api.Scalar()) : Describe(api)));
  }
  return false;
}

std::optional<json> Decoder::Walk(const YAML::Node& node, const Field& f, const std::string& path,
                                  const Location& loc, bool sensitive) {
  doc_->locations[path] = loc;
  const bool scalar = node.IsScalar() && Resolve(node) != ScalarKind::kNull;
  switch (f.type) {
    case FieldType::kString:
      return WalkString(node, f, path, loc, sensitive);
    case FieldType::kInteger: {
      if (!scalar || Resolve(node) != ScalarKind::kInteger) {
        Error(loc, path, "expected an integer, got " + Describe(node));
        return std::nullopt;
      }
      long long v = 0;
      const std::string& s = node.Scalar();
      const char* begin = s.data() + (s[0] == '+' ? 1 : 0);
      const auto [ptr, ec] = std::from_chars(begin, s.data() + s.size(), v);
      if (ec != std::errc() || ptr != s.data() + s.size()) {
        Error(loc, path, "expected a decimal integer, got " + Quote(s));
        return std::nullopt;
      }
      if (!CheckRange(static_cast<double>(v), f, path, loc)) return std::nullopt;
      return json(v);
    }
    case FieldType::kNumber: {
      const ScalarKind k = scalar ? Resolve(node) : ScalarKind::kNull;
      if (k != ScalarKind::kInteger && k != ScalarKind::kFloat) {
        Error(loc, path, "expected a number, got " + Describe(node));
        return std::nullopt;
      }
      const double v = std::strtod(node.Scalar().c_str(), nullptr);
      if (!std::isfinite(v)) {
        Error(loc, path, "expected a finite number, got " + Quote(node.Scalar()));
        return std::nullopt;
      }
      if (!CheckRange(v, f, path, loc)) return std::nullopt;
      return json(v);
    }
    case FieldType::kBoolean:
      if (!scalar || Resolve(node) != ScalarKind::kBoolean) {
        Error(loc, path, "expected a boolean (true or false), got " + Describe(node));
        return std::nullopt;
      }
      return json(node.Scalar()[0] == 't' || node.Scalar()[0] == 'T');
    case FieldType::kObject:
      if (!node.IsMap()) {
        Error(loc, path, "expected a mapping, got " + Describe(node));
        return std::nullopt;
      }
      return WalkObject(node, f.fields, path, loc, sensitive);
    case FieldType::kArray: {
      if (!node.IsSequence()) {
        Error(loc, path, "expected a sequence, got " + Describe(node));
        return std::nullopt;
      }
      if (f.max_items && node.size() > static_cast<size_t>(*f.max_items)) {
        Error(loc, path,
              "must have at most " + std::to_string(*f.max_items) + " items, got " +
                  std::to_string(node.size()));
        return std::nullopt;
      }
      json out = json::array();
      size_t i = 0;
      for (auto it = node.begin(); it != node.end(); ++it, ++i) {
        const std::string item_path = path + "[" + std::to_string(i) + "]";
        const Location item_loc = ValueLoc(*it, loc);
        doc_->locations[item_path] = item_loc;
        if (!it->IsMap()) {
          Error(item_loc, item_path, "expected a mapping, got " + Describe(*it));
          out.push_back(nullptr);
          continue;
        }
        out.push_back(*WalkObject(*it, f.fields, item_path, item_loc, sensitive));
      }
      return out;
    }
    case FieldType::kStringMap:
      return WalkStringMap(node, f, path, loc);
    case FieldType::kSecret:
      return WalkSecret(node, path, loc);
  }
  return std::nullopt;
}

std::optional<json> Decoder::WalkObject(const YAML::Node& node, const std::vector<Field>& fields,
                                        const std::string& path, const Location& loc,
                                        bool sensitive) {
  json out = json::object();
  std::map<std::string, Location> seen;
  std::set<std::string> suggested;  // a typo of a required field is reported once
  for (auto it = node.begin(); it != node.end(); ++it) {
    const Location key_loc = Loc(it->first).line == 0 ? loc : Loc(it->first);
    if (!it->first.IsScalar()) {
      Error(key_loc, path, "mapping keys must be strings, got " + Describe(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    const std::string child = Child(path, key);
    if (auto [prev, inserted] = seen.emplace(key, key_loc); !inserted) {
      Error(key_loc, child,
            "duplicate key " + Quote(key) + " (first at line " +
                std::to_string(prev->second.line) + ")");
      continue;
    }
    const Field* field = nullptr;
    for (const auto& f : fields) {
      if (f.name == key) field = &f;
    }
    if (field == nullptr) {
      const auto names = FieldNames(fields);
      const std::string guess = ClosestMatch(key, names);
      suggested.insert(guess);
      Error(key_loc, child,
            "unknown field " + Quote(key) +
                (guess.empty() ? "; expected one of: " + Join(names, ", ")
                               : " (did you mean \"" + guess + "\"?)"));
      continue;
    }
    auto value = Walk(it->second, *field, child, ValueLoc(it->second, key_loc), sensitive);
    if (value) out[key] = std::move(*value);
  }
  for (const auto& f : fields) {
    if (seen.count(f.name)) continue;
    if (f.required) {
      if (!suggested.count(f.name)) Error(loc, Child(path, f.name), "required field is missing");
    } else if (!f.default_value.is_null()) {
      out[f.name] = json::parse(f.default_value.dump());
    }
  }
  // Partially valid objects are returned too: later checks look at their good fields.
  return out;
}

std::optional<json> Decoder::WalkString(const YAML::Node& node, const Field& f,
                                        const std::string& path, const Location& loc,
                                        bool sensitive) {
  if (!node.IsScalar() || Resolve(node) != ScalarKind::kString) {
    const std::string got = Describe(node);
    const bool quotable = node.IsScalar() && (got == "a number" || got == "a boolean");
    Error(loc, path, "expected a string, got " + got + (quotable ? " (quote it)" : ""));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  const size_t errors_before = errors_->size();
  if (!f.const_value.empty() && s != f.const_value) {
    Error(loc, path, "must be \"" + f.const_value + "\", got " + Quote(s));
  } else if (!f.enum_values.empty() &&
             std::find(f.enum_values.begin(), f.enum_values.end(), s) == f.enum_values.end()) {
    const std::string guess = ClosestMatch(s, f.enum_values);
    Error(loc, path,
          "must be one of " + Join(f.enum_values, ", ") + ", got " + Quote(s) +
              (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)"));
  } else if (f.min_length && s.size() < static_cast<size_t>(*f.min_length)) {
    Error(loc, path, "must not be empty");
  } else if (f.max_length && s.size() > static_cast<size_t>(*f.max_length)) {
    Error(loc, path,
          "must be at most " + std::to_string(*f.max_length) + " characters, got " +
              std::to_string(s.size()));
  } else if (!f.pattern.empty() && !MatchesRegex(s, f.pattern)) {
    Error(loc, path, f.pattern_message + (sensitive ? "" : ", got " + Quote(s)));
  } else {
    CheckFormat(s, f, path, loc);
  }
  if (errors_->size() != errors_before) return std::nullopt;
  return json(s);
}

void Decoder::CheckFormat(const std::string& s, const Field& f, const std::string& path,
                          const Location& loc) {
  switch (f.format) {
    case Format::kNone:
      return;
    case Format::kDuration: {
      const auto d = ParseDuration(s);
      if (!d) {
        Error(loc, path, "must be a duration like \"5s\", \"1m30s\" or \"500ms\", got " + Quote(s));
      } else if (d->count() == 0) {
        Error(loc, path, "must be greater than 0, got " + Quote(s));
      }
      return;
    }
    case Format::kTimeLimit: {
      static const std::regex kTime("^([0-9]{2,3}):([0-5][0-9]):([0-5][0-9])$");
      if (s == "unlimited") return;
      if (!std::regex_match(s, kTime)) {
        Error(loc, path,
              "must be HH:MM:SS (minutes and seconds below 60) or \"unlimited\", got " + Quote(s));
      } else if (s.find_first_not_of("0:") == std::string::npos) {
        Error(loc, path, "must be longer than 00:00:00; use \"unlimited\" for no limit");
      }
      return;
    }
    case Format::kHttpUrl: {
      // Never echoes the value: a URL may carry credentials.
      std::string_view rest;
      if (s.starts_with("https://")) {
        rest = std::string_view(s).substr(8);
      } else if (s.starts_with("http://")) {
        rest = std::string_view(s).substr(7);
      } else {
        Error(loc, path, "must be an http:// or https:// URL, e.g. https://api.example.com:443");
        return;
      }
      const std::string_view authority = rest.substr(0, rest.find('/'));
      if (authority.find('@') != std::string_view::npos) {
        Error(loc, path,
              "must not contain credentials (user:password@); put secrets in token, secretId or "
              "secretKey");
        return;
      }
      static const std::regex kAuthority(
          "^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
          "|\\[[0-9A-Fa-f:.]+\\])(:([0-9]{1,5}))?$");
      std::smatch m;
      const std::string auth(authority);
      if (!std::regex_match(auth, m, kAuthority)) {
        Error(loc, path,
              "must be an http:// or https:// URL with a valid host, e.g. "
              "https://api.example.com:443");
        return;
      }
      if (m[6].matched) {
        const int port = std::stoi(m[6].str());
        if (port < 1 || port > 65535) {
          Error(loc, path, "port must be between 1 and 65535, got " + std::to_string(port));
          return;
        }
      }
      if (s.find_first_of("?# \t") != std::string::npos) {
        Error(loc, path, "must not contain a query, fragment or spaces");
      }
      return;
    }
    case Format::kAbsolutePath:
      if (!s.starts_with("/")) {
        Error(loc, path, "must be an absolute path (starting with \"/\"), got " + Quote(s));
      }
      return;
  }
}

bool Decoder::CheckRange(double v, const Field& f, const std::string& path, const Location& loc) {
  const std::string got = ", got " + FormatNumber(v);
  const bool below = f.minimum && (f.exclusive_minimum ? v <= *f.minimum : v < *f.minimum);
  const bool above = f.maximum && v > *f.maximum;
  if (!below && !above) return true;
  if (f.exclusive_minimum) {
    Error(loc, path,
          "must be greater than " + FormatNumber(*f.minimum) +
              (f.maximum ? " and at most " + FormatNumber(*f.maximum) : "") + got);
  } else if (f.minimum && f.maximum) {
    Error(loc, path,
          "must be between " + FormatNumber(*f.minimum) + " and " + FormatNumber(*f.maximum) +
              got);
  } else if (f.minimum) {
    Error(loc, path, "must be at least " + FormatNumber(*f.minimum) + got);
  } else {
    Error(loc, path, "must be at most " + FormatNumber(*f.maximum) + got);
  }
  return false;
}

std::optional<json> Decoder::WalkStringMap(const YAML::Node& node, const Field& f,
                                           const std::string& path, const Location& loc) {
  if (!node.IsMap()) {
    Error(loc, path, "expected a mapping, got " + Describe(node));
    return std::nullopt;
  }
  if (f.max_properties && node.size() > static_cast<size_t>(*f.max_properties)) {
    Error(loc, path,
          "must have at most " + std::to_string(*f.max_properties) + " entries, got " +
              std::to_string(node.size()));
    return std::nullopt;
  }
  json out = json::object();
  bool ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const Location key_loc = Loc(it->first).line == 0 ? loc : Loc(it->first);
    if (!it->first.IsScalar() || it->first.Scalar().empty()) {
      Error(key_loc, path, "keys must be non-empty strings");
      ok = false;
      continue;
    }
    const std::string key = it->first.Scalar();
    const std::string child = Child(path, key);
    const Location value_loc = ValueLoc(it->second, key_loc);
    doc_->locations[child] = value_loc;
    if (out.contains(key)) {
      Error(key_loc, child, "duplicate key " + Quote(key));
      ok = false;
      continue;
    }
    if (f.key_max_length && key.size() > static_cast<size_t>(*f.key_max_length)) {
      Error(key_loc, child,
            "keys must be at most " + std::to_string(*f.key_max_length) + " characters, got " +
                std::to_string(key.size()));
      ok = false;
      continue;
    }
    if (!f.key_pattern.empty() && !MatchesRegex(key, f.key_pattern)) {
      Error(key_loc, child, f.key_pattern_message + ", got " + Quote(key));
      ok = false;
      continue;
    }
    const YAML::Node& value = it->second;
    if (!value.IsScalar() || Resolve(value) != ScalarKind::kString) {
      const std::string got = Describe(value);
      const bool quotable = value.IsScalar() && (got == "a number" || got == "a boolean");
      Error(value_loc, child, "expected a string, got " + got + (quotable ? " (quote it)" : ""));
      ok = false;
      continue;
    }
    if (f.max_length && value.Scalar().size() > static_cast<size_t>(*f.max_length)) {
      Error(value_loc, child,
            "must be at most " + std::to_string(*f.max_length) + " characters, got " +
                std::to_string(value.Scalar().size()));
      ok = false;
      continue;
    }
    out[key] = value.Scalar();
  }
  if (!ok) return std::nullopt;
  return out;
}

std::optional<json> Decoder::WalkSecret(const YAML::Node& node, const std::string& path,
                                        const Location& loc) {
  if (node.IsScalar() && Resolve(node) != ScalarKind::kNull) {
    // Never echo the value: it is most likely the secret itself.
    Error(loc, path, std::string("literal secret values are not allowed; ") + kSecretHint);
    return std::nullopt;
  }
  if (!node.IsMap()) {
    Error(loc, path, std::string("expected {fromEnv: NAME} or {fromFile: PATH}, got ") +
                         Describe(node));
    return std::nullopt;
  }
  const size_t errors_before = errors_->size();
  auto out = WalkObject(node, SecretRefFields(), path, loc, /*sensitive=*/true);
  if (errors_->size() != errors_before) return std::nullopt;
  const bool env = out->contains("fromEnv");
  const bool file = out->contains("fromFile");
  if (env == file) {
    Error(loc, path,
          env ? "set exactly one of fromEnv or fromFile, not both"
              : std::string("set one of fromEnv or fromFile: ") + kSecretHint);
    return std::nullopt;
  }
  return out;
}

const json* Decoder::Get(const std::string& dotted) const {
  const json* cur = &doc_->value;
  size_t start = 0;
  while (start <= dotted.size()) {
    const size_t dot = dotted.find('.', start);
    const std::string part =
        dotted.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(part);
    if (it == cur->end()) return nullptr;
    cur = &*it;
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return cur;
}

void Decoder::CheckProvider() {
  const json* type = Get("spec.type");
  if (type == nullptr) return;
  const bool scnet = *type == "scnet";
  const std::string other = scnet ? "tione" : "scnet";
  const std::vector<std::string> own =
      scnet ? std::vector<std::string>{"token"}
            : std::vector<std::string>{"region", "secretId", "secretKey"};
  const std::vector<std::string> foreign =
      scnet ? std::vector<std::string>{"region", "secretId", "secretKey"}
            : std::vector<std::string>{"token"};
  for (const auto& name : own) {
    const std::string path = "spec." + name;
    if (Present(path)) continue;
    ErrorAt(path, "required for a " + type->get<std::string>() + " provider" +
                      (name == "region" ? "; set e.g. region: ap-shanghai"
                                        : std::string("; ") + kSecretHint));
  }
  for (const auto& name : foreign) {
    const std::string path = "spec." + name;
    if (Present(path)) ErrorAt(path, "only valid for a " + other + " provider; remove it");
  }
}

void Decoder::CheckContainerInstance() {
  const json* type = Get("spec.accelerator.type");
  const json* count = Get("spec.accelerator.count");
  if (type != nullptr && count != nullptr) {
    const std::string path = "spec.accelerator.count";
    if (*type == "cpu" && *count != 0) {
      ErrorAt(path, "must be 0 when accelerator.type is cpu, got " + count->dump());
    } else if (*type != "cpu" && *count == 0) {
      ErrorAt(path, "must be at least 1 when accelerator.type is " + type->get<std::string>() +
                        " (use type cpu for no accelerator)");
    }
  }
  if (const json* mounts = Get("spec.mounts"); mounts != nullptr && mounts->is_array()) {
    std::map<std::string, size_t> targets;
    for (size_t i = 0; i < mounts->size(); ++i) {
      const json& m = (*mounts)[i];
      if (!m.is_object() || !m.contains("target")) continue;
      const std::string target = m["target"];
      auto [it, inserted] = targets.emplace(target, i);
      if (!inserted) {
        const std::string path = "spec.mounts[" + std::to_string(i) + "].target";
        ErrorAt(path, "duplicate mount target " + Quote(target) + " (also at spec.mounts[" +
                          std::to_string(it->second) + "])");
      }
    }
  }
  if (const json* ports = Get("spec.ports"); ports != nullptr && ports->is_array()) {
    std::map<long long, size_t> seen;
    for (size_t i = 0; i < ports->size(); ++i) {
      const json& p = (*ports)[i];
      if (!p.is_object() || !p.contains("port")) continue;
      const long long port = p["port"];
      auto [it, inserted] = seen.emplace(port, i);
      if (!inserted) {
        const std::string path = "spec.ports[" + std::to_string(i) + "].port";
        ErrorAt(path, "duplicate port " + std::to_string(port) + " (also at spec.ports[" +
                          std::to_string(it->second) + "])");
      }
    }
  }
}

void Decoder::CheckTiOneNotebook() {
  const json* charge = Get("spec.chargeType");
  if (charge != nullptr && *charge == "POSTPAID_BY_HOUR" && Get("spec.resources") != nullptr &&
      !Present("spec.resources.instanceType")) {
    ErrorAt("spec.resources.instanceType", "required when chargeType is POSTPAID_BY_HOUR");
  }
  if (charge != nullptr && *charge == "PREPAID") {
    if (!Present("spec.resourceGroupId")) {
      ErrorAt("spec.resourceGroupId", "required when chargeType is PREPAID");
    }
    for (const std::string name : {"cpu", "memory"}) {
      const std::string path = "spec.resources." + name;
      const json* v = Get(path);
      if (v != nullptr && *v == 0) {
        ErrorAt(path, "must be greater than 0 when chargeType is PREPAID");
      }
    }
  }
  const json* image_type = Get("spec.image.type");
  if (image_type != nullptr && *image_type == "TCR" && Get("spec.image") != nullptr &&
      !Present("spec.image.registryId")) {
    ErrorAt("spec.image.registryId", "required when image.type is TCR");
  }
  const json* auto_stopping = Get("spec.autoStopping");
  const json* stop_time = Get("spec.automaticStopTime");
  if (auto_stopping != nullptr && stop_time != nullptr) {
    if (*auto_stopping == true && *stop_time == 0) {
      ErrorAt("spec.automaticStopTime", "must be between 1 and 720 when autoStopping is true");
    } else if (*auto_stopping == false && *stop_time != 0) {
      ErrorAt("spec.automaticStopTime", "only valid when autoStopping is true");
    }
  }
  const json* direct = Get("spec.directInternetAccess");
  const bool vpc = Present("spec.vpcId");
  const bool subnet = Present("spec.subnetId");
  if (direct != nullptr && *direct == false) {
    if (!vpc) ErrorAt("spec.vpcId", "required when directInternetAccess is false");
    if (!subnet) ErrorAt("spec.subnetId", "required when directInternetAccess is false");
  } else if (vpc != subnet) {
    if (!vpc) ErrorAt("spec.vpcId", "required with subnetId");
    if (!subnet) ErrorAt("spec.subnetId", "required with vpcId");
  }
  if (Present("spec.tags.managed-by")) {
    ErrorAt("spec.tags.managed-by", "\"managed-by\" is set by Converge; remove it");
  }
}

SecretRef ToSecret(const json& j) {
  SecretRef ref;
  if (j.contains("fromEnv")) {
    ref.source = SecretRef::Source::kEnv;
    ref.ref = j["fromEnv"];
  } else {
    ref.source = SecretRef::Source::kFile;
    ref.ref = j["fromFile"];
  }
  return ref;
}

ObjectMeta ToMeta(const json& j, const Location& location) {
  ObjectMeta meta;
  meta.name = j["metadata"]["name"];
  if (j["metadata"].contains("labels")) {
    meta.labels = j["metadata"]["labels"].get<std::map<std::string, std::string>>();
  }
  meta.location = location;
  return meta;
}

template <typename T>
void Set(const json& j, const char* key, T* out) {
  if (j.contains(key)) *out = j[key].get<T>();
}

void Decoder::BuildObject() {
  const json& j = doc_->value;
  const json& s = j["spec"];
  switch (*doc_->kind) {
    case Kind::kProvider: {
      Provider p;
      p.metadata = ToMeta(j, doc_->location);
      p.type = s["type"] == "tione" ? ProviderType::kTione : ProviderType::kScnet;
      p.endpoint = s["endpoint"];
      Set(s, "region", &p.region);
      if (s.contains("token")) p.token = ToSecret(s["token"]);
      if (s.contains("secretId")) p.secret_id = ToSecret(s["secretId"]);
      if (s.contains("secretKey")) p.secret_key = ToSecret(s["secretKey"]);
      p.rate_limit.qps = p.type == ProviderType::kTione ? 20 : 10;
      if (s.contains("rateLimit")) {
        Set(s["rateLimit"], "qps", &p.rate_limit.qps);
        Set(s["rateLimit"], "burst", &p.rate_limit.burst);
      }
      if (s.contains("timeouts")) {
        p.connect_timeout = *ParseDuration(s["timeouts"]["connect"].get<std::string>());
        p.request_timeout = *ParseDuration(s["timeouts"]["request"].get<std::string>());
      }
      Set(s, "maxRetries", &p.max_retries);
      Set(s, "caFile", &p.ca_file);
      doc_->object = std::move(p);
      return;
    }
    case Kind::kContainerInstance: {
      ContainerInstance ci;
      ci.metadata = ToMeta(j, doc_->location);
      auto& c = ci.spec;
      c.provider = s["provider"];
      c.task_type = s["taskType"];
      c.image_name = s["image"]["name"];
      c.image_path = s["image"]["path"];
      c.resource_group = s["resourceGroup"];
      c.accelerator_type = s["accelerator"]["type"];
      c.accelerator_count = s["accelerator"]["count"];
      c.cpu = s["cpu"];
      c.memory_mb = s["memoryMB"];
      c.replicas = s["replicas"];
      c.timeout = s["timeout"];
      if (s.contains("startScript")) {
        c.start_script = StartScript{.scope = s["startScript"]["scope"],
                                     .content = s["startScript"]["content"]};
      }
      for (const auto& m : s["mounts"]) {
        c.mounts.push_back(Mount{.source = m["source"], .target = m["target"], .type = m["type"]});
      }
      for (const auto& p : s["ports"]) {
        c.ports.push_back(Port{.port = p["port"], .protocol = p["protocol"]});
      }
      const std::string policy = s["restartPolicy"];
      c.restart_policy = policy == "Always"  ? RestartPolicy::kAlways
                         : policy == "Never" ? RestartPolicy::kNever
                                             : RestartPolicy::kOnFailure;
      c.description = s["description"];
      doc_->object = std::move(ci);
      return;
    }
    case Kind::kNotebookService: {
      NotebookService ns;
      ns.metadata = ToMeta(j, doc_->location);
      ns.spec.provider = s["provider"];
      ns.spec.notebook = s["notebook"];
      ns.spec.port = s["port"];
      ns.spec.command = s["command"];
      doc_->object = std::move(ns);
      return;
    }
    case Kind::kTiOneNotebook: {
      TiOneNotebook nb;
      nb.metadata = ToMeta(j, doc_->location);
      auto& t = nb.spec;
      t.provider = s["provider"];
      t.state = s["state"];
      t.charge_type = s["chargeType"];
      const json& r = s["resources"];
      Set(r, "instanceType", &t.resources.instance_type);
      t.resources.cpu = r["cpu"];
      t.resources.memory = r["memory"];
      t.resources.gpu = r["gpu"];
      Set(r, "gpuType", &t.resources.gpu_type);
      const json& im = s["image"];
      t.image.type = im["type"];
      t.image.url = im["url"];
      Set(im, "registryRegion", &t.image.registry_region);
      Set(im, "registryId", &t.image.registry_id);
      t.volume_source_type = s["volumeSourceType"];
      t.volume_size_gb = s["volumeSizeInGB"];
      Set(s, "tags", &t.tags);
      t.log_enable = s["logEnable"];
      t.root_access = s["rootAccess"];
      t.auto_stopping = s["autoStopping"];
      t.automatic_stop_time = s["automaticStopTime"];
      t.direct_internet_access = s["directInternetAccess"];
      Set(s, "resourceGroupId", &t.resource_group_id);
      Set(s, "vpcId", &t.vpc_id);
      Set(s, "subnetId", &t.subnet_id);
      doc_->object = std::move(nb);
      return;
    }
  }
}

void Decoder::Run(const YAML::Node& root, const LoadOptions& options) {
  doc_->location = Loc(root);
  if (doc_->location.line == 0) doc_->location = {file_, 1, 1};
  if (!root.IsMap()) {
    Error(doc_->location, "",
          "expected a mapping with apiVersion, kind, metadata and spec, got " + Describe(root));
    return;
  }
  ReadLabels(root);
  size_t budget = options.max_nodes;
  if (!WithinBudget(root, &budget, 0)) {
    Error(doc_->location, "",
          "document is too large or too deeply nested: more than " +
              std::to_string(options.max_nodes) +
              " nodes (aliases expanded) or 256 levels; split it or remove YAML aliases");
    return;
  }
  if (!CheckHeader(root)) return;
  doc_->value = *WalkObject(root, DocumentField(*doc_->kind).fields, "", doc_->location, false);
  switch (*doc_->kind) {
    case Kind::kProvider: CheckProvider(); break;
    case Kind::kContainerInstance: CheckContainerInstance(); break;
    case Kind::kTiOneNotebook: CheckTiOneNotebook(); break;
    case Kind::kNotebookService: break;
  }
  doc_->ok = !had_error_;
  if (doc_->ok) BuildObject();
}

}  // namespace

Location DecodedDocument::LocationOf(const std::string& path) const {
  std::string p = path;
  while (true) {
    auto it = locations.find(p);
    if (it != locations.end()) return it->second;
    const size_t cut = p.find_last_of(".[");
    if (cut == std::string::npos) return location;
    p = p.substr(0, cut);
  }
}

DecodedDocument DecodeDocument(const YAML::Node& root, const std::string& file,
                               const LoadOptions& options, std::vector<Diagnostic>* errors) {
  DecodedDocument doc;
  Decoder decoder(file, errors, &doc);
  try {
    decoder.Run(root, options);
  } catch (const std::exception& e) {
    // yaml-cpp or json access on a shape the checks above should have ruled out.
    errors->push_back(Diagnostic{.location = doc.location,
                                 .kind = doc.kind ? std::string(KindName(*doc.kind)) : "",
                                 .name = doc.name,
                                 .message = std::string("internal error while decoding: ") +
                                            e.what() + "; please report this manifest"});
    doc.ok = false;
  }
  return doc;
}

}  // namespace converge::spec

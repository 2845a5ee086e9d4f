#include "manifest/walk.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <set>
#include <string_view>

#include "manifest/constraint.h"
#include "manifest/message.h"

namespace converge::manifest {
namespace {

using nlohmann::json;

std::vector<std::string> FieldNames(const std::vector<Field>& fields) {
  std::vector<std::string> names;
  for (const auto& f : fields) names.push_back(f.name);
  return names;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsOctal(char c) { return c >= '0' && c <= '7'; }
bool IsHex(char c) { return IsDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// Non-empty and every character passes.
template <typename Pred>
bool AllOf(std::string_view s, Pred pred) {
  return !s.empty() && std::all_of(s.begin(), s.end(), pred);
}

// The number of leading characters of `s` from `at` that pass.
template <typename Pred>
size_t Span(std::string_view s, size_t at, Pred pred) {
  size_t n = 0;
  while (at + n < s.size() && pred(s[at + n])) ++n;
  return n;
}

// [-+]?[0-9]+ | 0o[0-7]+ | 0x[0-9a-fA-F]+ (YAML 1.2 core schema)
bool IsCoreInteger(std::string_view s) {
  if (s.starts_with("0o")) return AllOf(s.substr(2), IsOctal);
  if (s.starts_with("0x")) return AllOf(s.substr(2), IsHex);
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  return AllOf(s, IsDigit);
}

// [-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)? | [-+]?\.(inf|Inf|INF) |
// \.(nan|NaN|NAN) (YAML 1.2 core schema)
bool IsCoreFloat(std::string_view s) {
  if (s == ".nan" || s == ".NaN" || s == ".NAN") return true;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) s.remove_prefix(1);
  if (s == ".inf" || s == ".Inf" || s == ".INF") return true;
  size_t i = Span(s, 0, IsDigit);
  if (i > 0) {
    if (i < s.size() && s[i] == '.') i += 1 + Span(s, i + 1, IsDigit);
  } else {
    if (i >= s.size() || s[i] != '.') return false;
    const size_t fraction = Span(s, i + 1, IsDigit);
    if (fraction == 0) return false;
    i += 1 + fraction;
  }
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    const size_t exponent = Span(s, i, IsDigit);
    if (exponent == 0) return false;
    i += exponent;
  }
  return i == s.size();
}

std::string Child(const std::string& path, const std::string& name) {
  return path.empty() ? name : path + "." + name;
}

}  // namespace

ScalarKind ResolveScalar(const YamlNode& node) {
  const std::string& tag = node.Tag();
  const std::string& s = node.Scalar();
  if (tag != "?") {  // "?": a plain scalar without a tag, resolved from its text below
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return ScalarKind::kString;
    if (tag == "tag:yaml.org,2002:int") return ScalarKind::kInteger;
    if (tag == "tag:yaml.org,2002:float") return ScalarKind::kFloat;
    if (tag == "tag:yaml.org,2002:bool") return ScalarKind::kBoolean;
    if (tag == "tag:yaml.org,2002:null") return ScalarKind::kNull;
  }
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") return ScalarKind::kNull;
  if (s == "true" || s == "True" || s == "TRUE" || s == "false" || s == "False" || s == "FALSE") {
    return ScalarKind::kBoolean;
  }
  if (s.size() < 64 && IsCoreInteger(s)) return ScalarKind::kInteger;
  if (s.size() < 64 && IsCoreFloat(s)) return ScalarKind::kFloat;
  return ScalarKind::kString;
}

std::string DescribeNode(const YamlNode& node) {
  switch (node.type()) {
    case YamlNode::Type::kSequence:
      return "a sequence";
    case YamlNode::Type::kMap:
      return "a mapping";
    case YamlNode::Type::kScalar:
      switch (ResolveScalar(node)) {
        case ScalarKind::kString:
          return "a string";
        case ScalarKind::kInteger:
        case ScalarKind::kFloat:
          return "a number";
        case ScalarKind::kBoolean:
          return "a boolean";
        case ScalarKind::kNull:
          return "null";
      }
      return "a string";
    default:
      return "null";
  }
}

Location NodeLocation(const YamlNode& node, const std::string& file) {
  const YAML::Mark& m = node.Mark();
  if (m.is_null() || m.line < 0) return {file, 0, 0};
  return {file, m.line + 1, m.column + 1};
}

Location ValueLocation(const YamlNode& value, const Location& key_location,
                       const std::string& file) {
  if (value.IsNull()) return key_location;
  Location l = NodeLocation(value, file);
  return l.line == 0 ? key_location : l;
}

std::optional<json> Walker::Walk(const YamlNode& node, const Field& f, const std::string& path,
                                 const Location& loc, bool sensitive) {
  (*locations_)[path] = loc;
  const bool scalar = node.IsScalar() && ResolveScalar(node) != ScalarKind::kNull;
  switch (f.type) {
    case FieldType::kString:
      return WalkString(node, f, path, loc, sensitive);
    case FieldType::kInteger: {
      if (!scalar || ResolveScalar(node) != ScalarKind::kInteger) {
        Error(loc, path, "expected an integer, got " + DescribeNode(node));
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
      if (auto problem = RangeProblem(static_cast<double>(v), f)) {
        Error(loc, path, std::move(*problem));
        return std::nullopt;
      }
      return json(v);
    }
    case FieldType::kNumber: {
      const ScalarKind k = scalar ? ResolveScalar(node) : ScalarKind::kNull;
      if (k != ScalarKind::kInteger && k != ScalarKind::kFloat) {
        Error(loc, path, "expected a number, got " + DescribeNode(node));
        return std::nullopt;
      }
      const double v = std::strtod(node.Scalar().c_str(), nullptr);
      if (!std::isfinite(v)) {
        Error(loc, path, "expected a finite number, got " + Quote(node.Scalar()));
        return std::nullopt;
      }
      if (auto problem = RangeProblem(v, f)) {
        Error(loc, path, std::move(*problem));
        return std::nullopt;
      }
      return json(v);
    }
    case FieldType::kBoolean:
      if (!scalar || ResolveScalar(node) != ScalarKind::kBoolean) {
        Error(loc, path, "expected a boolean (true or false), got " + DescribeNode(node));
        return std::nullopt;
      }
      return json(node.Scalar()[0] == 't' || node.Scalar()[0] == 'T');
    case FieldType::kObject:
      if (!node.IsMap()) {
        Error(loc, path, "expected a mapping, got " + DescribeNode(node));
        return std::nullopt;
      }
      return WalkObject(node, f.fields, path, loc, sensitive);
    case FieldType::kArray: {
      if (!node.IsSequence()) {
        Error(loc, path, "expected a sequence, got " + DescribeNode(node));
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
      for (const YamlNode* item : node.children()) {
        const std::string item_path = path + "[" + std::to_string(i++) + "]";
        const Location item_loc = ValueLoc(*item, loc);
        (*locations_)[item_path] = item_loc;
        if (!item->IsMap()) {
          Error(item_loc, item_path, "expected a mapping, got " + DescribeNode(*item));
          out.push_back(nullptr);
          continue;
        }
        out.push_back(WalkObject(*item, f.fields, item_path, item_loc, sensitive));
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

json Walker::WalkObject(const YamlNode& node, const std::vector<Field>& fields,
                        const std::string& path, const Location& loc, bool sensitive) {
  json out = json::object();
  std::map<std::string_view, int> seen;  // key -> its line; keys live in the tree
  std::set<std::string> suggested;       // a typo of a required field is reported once
  const auto& entries = node.children();
  for (size_t e = 0; e + 1 < entries.size(); e += 2) {
    const YamlNode& k = *entries[e];
    const YamlNode& v = *entries[e + 1];
    Location key_loc = Loc(k);
    if (key_loc.line == 0) key_loc = loc;
    if (!k.IsScalar()) {
      Error(key_loc, path, "mapping keys must be strings, got " + DescribeNode(k));
      continue;
    }
    const std::string& key = k.Scalar();
    const std::string child = Child(path, key);
    if (auto [prev, inserted] = seen.emplace(key, key_loc.line); !inserted) {
      Error(
          key_loc, child,
          "duplicate key " + Quote(key) + " (first at line " + std::to_string(prev->second) + ")");
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
    auto value = Walk(v, *field, child, ValueLoc(v, key_loc), sensitive);
    if (value) out[key] = std::move(*value);
  }
  for (const auto& f : fields) {
    if (seen.count(f.name)) continue;
    if (f.required) {
      if (!suggested.count(f.name)) Error(loc, Child(path, f.name), "required field is missing");
    } else if (!f.default_value.is_null()) {
      out[f.name] = json(f.default_value);
    }
  }
  // Partially valid objects are returned too: the rules look at their good fields.
  return out;
}

std::optional<json> Walker::WalkString(const YamlNode& node, const Field& f,
                                       const std::string& path, const Location& loc,
                                       bool sensitive) {
  if (!node.IsScalar() || ResolveScalar(node) != ScalarKind::kString) {
    const std::string got = DescribeNode(node);
    const bool quotable = node.IsScalar() && (got == "a number" || got == "a boolean");
    Error(loc, path, "expected a string, got " + got + (quotable ? " (quote it)" : ""));
    return std::nullopt;
  }
  const std::string& s = node.Scalar();
  if (auto problem = StringProblem(s, f, sensitive)) {
    Error(loc, path, std::move(*problem));
    return std::nullopt;
  }
  return json(s);
}

std::optional<json> Walker::WalkStringMap(const YamlNode& node, const Field& f,
                                          const std::string& path, const Location& loc) {
  if (!node.IsMap()) {
    Error(loc, path, "expected a mapping, got " + DescribeNode(node));
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
  const auto& entries = node.children();
  for (size_t e = 0; e + 1 < entries.size(); e += 2) {
    const YamlNode& k = *entries[e];
    const YamlNode& value = *entries[e + 1];
    Location key_loc = Loc(k);
    if (key_loc.line == 0) key_loc = loc;
    if (!k.IsScalar() || k.Scalar().empty()) {
      Error(key_loc, path, "keys must be non-empty strings");
      ok = false;
      continue;
    }
    const std::string& key = k.Scalar();
    const std::string child = Child(path, key);
    const Location value_loc = ValueLoc(value, key_loc);
    (*locations_)[child] = value_loc;
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
    if (!f.key_pattern.empty() && !MatchesPattern(key, f.key_pattern)) {
      Error(key_loc, child, f.key_pattern_message + ", got " + Quote(key));
      ok = false;
      continue;
    }
    if (!value.IsScalar() || ResolveScalar(value) != ScalarKind::kString) {
      const std::string got = DescribeNode(value);
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

std::optional<json> Walker::WalkSecret(const YamlNode& node, const std::string& path,
                                       const Location& loc) {
  if (node.IsScalar() && ResolveScalar(node) != ScalarKind::kNull) {
    // Never echo the value: it is most likely the secret itself.
    Error(loc, path, std::string("literal secret values are not allowed; ") + kSecretHint);
    return std::nullopt;
  }
  if (!node.IsMap()) {
    Error(loc, path,
          std::string("expected {fromEnv: NAME} or {fromFile: PATH}, got ") + DescribeNode(node));
    return std::nullopt;
  }
  const size_t errors_before = errors_->count();
  json out = WalkObject(node, SecretRefFields(), path, loc, /*sensitive=*/true);
  if (errors_->count() != errors_before) return std::nullopt;
  const bool env = out.contains("fromEnv");
  const bool file = out.contains("fromFile");
  if (env == file) {
    Error(loc, path,
          env ? "set exactly one of fromEnv or fromFile, not both"
              : std::string("set one of fromEnv or fromFile: ") + kSecretHint);
    return std::nullopt;
  }
  return out;
}

}  // namespace converge::manifest

#include "manifest/schema.h"

#include <algorithm>
#include <cctype>

#include "manifest/field.h"

namespace converge::manifest {
namespace {

using nlohmann::ordered_json;

constexpr char kDialect[] = "https://json-schema.org/draft/2020-12/schema";

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

ordered_json Number(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return static_cast<long long>(v);
  return v;
}

ordered_json ObjectSchema(const std::vector<Field>& fields);

ordered_json FieldSchema(const Field& f) {
  ordered_json s = ordered_json::object();
  if (f.type == FieldType::kSecret) {
    s["$ref"] = "#/$defs/secretRef";
    s["description"] = f.description;
    return s;
  }
  switch (f.type) {
    case FieldType::kString:
      s["type"] = "string";
      break;
    case FieldType::kInteger:
      s["type"] = "integer";
      break;
    case FieldType::kNumber:
      s["type"] = "number";
      break;
    case FieldType::kBoolean:
      s["type"] = "boolean";
      break;
    case FieldType::kObject:
    case FieldType::kStringMap:
      s["type"] = "object";
      break;
    case FieldType::kArray:
      s["type"] = "array";
      break;
    case FieldType::kSecret:
      break;
  }
  s["description"] = f.description;
  if (!f.const_value.empty()) s["const"] = f.const_value;
  if (!f.enum_values.empty()) s["enum"] = f.enum_values;
  if (f.minimum) s[f.exclusive_minimum ? "exclusiveMinimum" : "minimum"] = Number(*f.minimum);
  if (f.maximum) s["maximum"] = Number(*f.maximum);
  if (f.type == FieldType::kString) {
    if (f.min_length) s["minLength"] = *f.min_length;
    if (f.max_length) s["maxLength"] = *f.max_length;
  }
  std::string pattern = f.pattern;
  switch (f.format) {
    case Format::kNone:
      break;
    case Format::kDuration:
      pattern = "^(?=.)([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$";
      s["examples"] = {"5s", "1m30s", "500ms"};
      break;
    case Format::kTimeLimit:
      pattern = "^(unlimited|[0-9]{2,3}:[0-5][0-9]:[0-5][0-9])$";
      s["examples"] = {"01:00:00", "unlimited"};
      break;
    case Format::kHttpUrl:
      s["format"] = "uri";
      pattern = "^https?://[^\\s/?#@]+(/[^\\s?#]*)?$";
      break;
    case Format::kAbsolutePath:
      pattern = "^/";
      break;
  }
  if (!pattern.empty()) s["pattern"] = pattern;
  if (f.type == FieldType::kObject) {
    const ordered_json object = ObjectSchema(f.fields);
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (it.key() != "type") s[it.key()] = it.value();
    }
  }
  if (f.type == FieldType::kArray) {
    ordered_json items = {{"type", "object"}};
    const ordered_json object = ObjectSchema(f.fields);
    for (auto it = object.begin(); it != object.end(); ++it) {
      if (it.key() != "type") items[it.key()] = it.value();
    }
    s["items"] = items;
    if (f.max_items) s["maxItems"] = *f.max_items;
  }
  if (f.type == FieldType::kStringMap) {
    ordered_json names = ordered_json::object();
    if (f.key_max_length) names["maxLength"] = *f.key_max_length;
    if (!f.key_pattern.empty()) names["pattern"] = f.key_pattern;
    s["propertyNames"] = names;
    ordered_json values = {{"type", "string"}};
    if (f.max_length) values["maxLength"] = *f.max_length;
    s["additionalProperties"] = values;
    if (f.max_properties) s["maxProperties"] = *f.max_properties;
  }
  if (!f.default_value.is_null()) s["default"] = f.default_value;
  return s;
}

ordered_json ObjectSchema(const std::vector<Field>& fields) {
  ordered_json properties = ordered_json::object();
  std::vector<std::string> required;
  for (const auto& f : fields) {
    properties[f.name] = FieldSchema(f);
    if (f.required) required.push_back(f.name);
  }
  ordered_json s = {{"type", "object"}, {"properties", properties}};
  if (!required.empty()) s["required"] = required;
  s["additionalProperties"] = false;
  return s;
}

ordered_json SecretRefSchema() {
  const auto& fields = SecretRefFields();
  ordered_json s = {
      {"description", "A secret read at run time; literal values are not allowed in manifests."},
      {"type", "object"},
      {"properties", {{"fromEnv", FieldSchema(fields[0])}, {"fromFile", FieldSchema(fields[1])}}},
      {"oneOf", {{{"required", {"fromEnv"}}}, {{"required", {"fromFile"}}}}},
      {"additionalProperties", false},
  };
  return s;
}

// The kind's document schema without the dialect and $defs.
ordered_json KindBody(Kind kind) {
  const Field& doc = DocumentField(kind);
  ordered_json s = {{"title", std::string(KindName(kind))}, {"description", doc.description}};
  const ordered_json object = ObjectSchema(doc.fields);
  for (auto it = object.begin(); it != object.end(); ++it) s[it.key()] = it.value();
  return s;
}

std::string Render(const ordered_json& j) { return j.dump(2) + "\n"; }

}  // namespace

ordered_json SchemaFor(Kind kind) {
  ordered_json s = {{"$schema", kDialect}};
  const ordered_json body = KindBody(kind);
  for (auto it = body.begin(); it != body.end(); ++it) s[it.key()] = it.value();
  s["$defs"] = {{"secretRef", SecretRefSchema()}};
  return s;
}

ordered_json BundleSchema() {
  std::vector<std::string> kinds;
  for (Kind k : kAllKinds) kinds.emplace_back(KindName(k));
  ordered_json all_of = ordered_json::array();
  ordered_json defs = {{"secretRef", SecretRefSchema()}};
  for (Kind k : kAllKinds) {
    const std::string name(KindName(k));
    all_of.push_back(
        {{"if", {{"properties", {{"kind", {{"const", name}}}}}, {"required", {"kind"}}}},
         {"then", {{"$ref", "#/$defs/" + name}}}});
    defs[name] = KindBody(k);
  }
  return {
      {"$schema", kDialect},
      {"title", "Converge manifest"},
      {"description",
       "Any Converge manifest document (apiVersion converge.dev/v1alpha1); the kind selects "
       "the schema."},
      {"type", "object"},
      {"properties", {{"apiVersion", {{"const", kApiVersion}}}, {"kind", {{"enum", kinds}}}}},
      {"required", {"apiVersion", "kind", "metadata", "spec"}},
      {"allOf", all_of},
      {"$defs", defs},
  };
}

std::vector<SchemaFile> SchemaFiles() {
  std::vector<SchemaFile> files;
  for (Kind k : kAllKinds) {
    files.push_back({Lower(KindName(k)) + ".schema.json", Render(SchemaFor(k))});
  }
  files.push_back({"converge.schema.json", Render(BundleSchema())});
  return files;
}

}  // namespace converge::manifest

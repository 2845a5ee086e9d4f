#include "manifest/schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <sstream>

#include "manifest/field.h"

namespace converge::manifest {
namespace {

using nlohmann::ordered_json;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

TEST(Schema, CheckedInSpecsMatchTheGenerator) {
  for (const auto& file : SchemaFiles()) {
    const std::string path = std::string(CONVERGE_SOURCE_DIR) + "/specs/" + file.name;
    EXPECT_EQ(ReadFile(path), file.text)
        << "specs/" << file.name
        << " is out of date with the manifest model. Regenerate it from the repository root "
           "with `converge schema --out specs` (e.g. ./build/converge schema --out specs) and "
           "commit the result.";
  }
}

TEST(Schema, FileNames) {
  std::vector<std::string> names;
  for (const auto& file : SchemaFiles()) names.push_back(file.name);
  EXPECT_THAT(names, ::testing::ElementsAre("provider.schema.json", "containerinstance.schema.json",
                                            "notebookservice.schema.json",
                                            "tionenotebook.schema.json", "converge.schema.json"));
}

// Every object closes its properties and every property says what it is.
void CheckNode(const ordered_json& node, const std::string& where) {
  if (!node.is_object()) return;
  if (node.contains("properties")) {
    EXPECT_EQ(node.value("additionalProperties", ordered_json(true)), ordered_json(false)) << where;
    for (const auto& [name, prop] : node["properties"].items()) {
      const std::string at = where + "." + name;
      EXPECT_TRUE(prop.contains("description")) << at;
      EXPECT_TRUE(prop.contains("type") || prop.contains("$ref") || prop.contains("const")) << at;
      CheckNode(prop, at);
    }
  }
  if (node.contains("items")) CheckNode(node["items"], where + "[]");
}

TEST(Schema, EveryPropertyIsDescribedTypedAndClosed) {
  for (Kind k : kAllKinds) {
    const ordered_json s = SchemaFor(k);
    EXPECT_EQ(s["$schema"], "https://json-schema.org/draft/2020-12/schema");
    CheckNode(s, std::string(KindName(k)));
    CheckNode(s["$defs"]["secretRef"], "secretRef");
  }
}

TEST(Schema, DescribesEnumsRangesDefaultsAndSecrets) {
  const ordered_json ci = SchemaFor(Kind::kContainerInstance)["properties"]["spec"]["properties"];
  EXPECT_EQ(ci["taskType"]["enum"], ordered_json({"ssh", "jupyter", "codeserver", "rstudio"}));
  EXPECT_EQ(ci["ports"]["items"]["properties"]["port"]["minimum"], 1);
  EXPECT_EQ(ci["ports"]["items"]["properties"]["port"]["maximum"], 65535);
  EXPECT_EQ(ci["ports"]["items"]["additionalProperties"], false);
  EXPECT_EQ(ci["restartPolicy"]["default"], "OnFailure");
  EXPECT_EQ(ci["timeout"]["pattern"], "^(unlimited|[0-9]{2,3}:[0-5][0-9]:[0-5][0-9])$");
  EXPECT_EQ(
      SchemaFor(Kind::kContainerInstance)["properties"]["spec"]["required"],
      ordered_json({"provider", "taskType", "image", "resourceGroup", "accelerator", "memoryMB"}));

  const ordered_json provider = SchemaFor(Kind::kProvider);
  EXPECT_EQ(provider["properties"]["spec"]["properties"]["token"]["$ref"], "#/$defs/secretRef");
  const ordered_json secret = provider["$defs"]["secretRef"];
  EXPECT_EQ(secret["oneOf"],
            ordered_json::parse(R"([{"required":["fromEnv"]},{"required":["fromFile"]}])"));
  EXPECT_EQ(secret["properties"]["fromEnv"]["pattern"], "^[A-Za-z_][A-Za-z0-9_]*$");
  EXPECT_EQ(provider["properties"]["spec"]["properties"]["rateLimit"]["properties"]["qps"]
                    ["exclusiveMinimum"],
            0);

  const ordered_json nb = SchemaFor(Kind::kTiOneNotebook);
  EXPECT_EQ(nb["properties"]["metadata"]["properties"]["name"]["maxLength"], 60);
  EXPECT_EQ(nb["properties"]["spec"]["properties"]["state"]["default"], "Running");
}

TEST(Schema, BundleDispatchesOnKind) {
  const ordered_json b = BundleSchema();
  ASSERT_EQ(b["allOf"].size(), 4u);
  EXPECT_EQ(b["allOf"][1]["if"]["properties"]["kind"]["const"], "ContainerInstance");
  EXPECT_EQ(b["allOf"][1]["then"]["$ref"], "#/$defs/ContainerInstance");
  EXPECT_TRUE(b["$defs"].contains("secretRef"));
  EXPECT_EQ(b["$defs"]["TiOneNotebook"]["properties"]["kind"]["const"], "TiOneNotebook");
}

}  // namespace
}  // namespace converge::manifest

// The simulator answers with the seeds' own field names: every key of each seed's
// example response appears in the simulator's corresponding object.
#include "sim_harness.h"

namespace converge::sim::testing {
namespace {

json Seed(const std::string& name) {
  json j = json::parse(ReadFile(SourcePath("tests/fixtures/seeds/" + name)), nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << name;
  return j;
}

// Every key of `seed` is in `actual`; nested objects are compared when both sides are objects.
void ExpectKeysCovered(const json& seed, const json& actual, const std::string& where,
                       bool recursive = true) {
  ASSERT_TRUE(seed.is_object()) << where;
  ASSERT_TRUE(actual.is_object()) << where << ": " << actual.dump();
  for (const auto& [key, value] : seed.items()) {
    EXPECT_TRUE(actual.contains(key)) << where << " lacks \"" << key << "\"";
    if (recursive && value.is_object() && actual.contains(key) && actual[key].is_object()) {
      ExpectKeysCovered(value, actual[key], where + "." + key);
    }
  }
}

class SeedsTest : public SimTest {};

TEST_F(SeedsTest, NotebookListRecordHasEverySeedField) {
  json seed = Seed("000_notebook_list_response.json");
  Resp r = ScnetGet("/ai/openapi/v2/notebook/list");
  EXPECT_TRUE(r.j["code"].is_string());
  ExpectKeysCovered(seed, r.j, "list envelope", /*recursive=*/false);
  // The seed's data is one record; the simulator's data is {total, records}.
  ExpectKeysCovered(seed["data"], r.j["data"]["records"][0], "notebook record");
  EXPECT_EQ(r.j["data"]["records"][0].size(), seed["data"].size());
}

TEST_F(SeedsTest, CustomServiceStartHasEverySeedField) {
  json seed = Seed("001_customize_service_start_response.json");
  Resp r = ScnetPost("/ai/openapi/v2/notebook/customize-service/actions/start",
                     Seed("001_customize_service_start_request.json"));
  ExpectKeysCovered(seed, r.j, "customize-service start");
  EXPECT_EQ(r.j["data"].size(), seed["data"].size());
}

TEST_F(SeedsTest, DescribeNotebookDetailHasEverySeedField) {
  json seed = Seed("002_describe_notebook_response.json");
  Resp r = Tione("DescribeNotebook", Seed("002_describe_notebook_request.json"));
  ASSERT_FALSE(r.j["Response"].contains("Error")) << r.body;  // the fixture holds seed's Id
  ExpectKeysCovered(seed, r.j, "DescribeNotebook");
  EXPECT_EQ(r.j["Response"]["NotebookDetail"].size(), seed["Response"]["NotebookDetail"].size());
}

TEST_F(SeedsTest, CreateInstanceAcceptsTheSeedRequestAndAnswersItsShape) {
  json seed = Seed("003_create_instance_response.json");
  Resp r =
      ScnetPost("/ai/openapi/v2/instance-service/task", Seed("003_create_instance_request.json"));
  ExpectKeysCovered(seed, r.j, "create");
  EXPECT_EQ(r.j["code"], "0");
  EXPECT_TRUE(r.j["data"].is_string());
  EXPECT_EQ(r.j["data"].get<std::string>().size(), seed["data"].get<std::string>().size());
}

}  // namespace
}  // namespace converge::sim::testing

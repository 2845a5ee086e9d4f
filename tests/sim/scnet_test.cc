// SCNet endpoints of the simulator over real HTTP.
#include <regex>

#include "sim_harness.h"

namespace converge::sim::testing {
namespace {

using std::chrono::milliseconds;

constexpr char kStart[] = "/ac/openapi/v2/notebook/actions/start";
constexpr char kService[] = "/ai/openapi/v2/notebook/customize-service/actions/start";
constexpr char kRestart[] = "/ai/openapi/v2/instance-service/task/actions/restart";
constexpr char kStop[] = "/ai/openapi/v2/instance-service/task/actions/stop";

class ScnetTest : public SimTest {
 protected:
  std::string CreateInstance(json body) {
    Resp r = ScnetPost(kTask, body);
    EXPECT_EQ(r.j["code"], "0") << r.body;
    return r.j["data"].is_string() ? r.j["data"].get<std::string>() : "";
  }
  json Instances(const std::string& query) {
    Resp r = ScnetGet(std::string(kTask) + "?" + query);
    EXPECT_EQ(r.j["code"], "0") << r.body;
    return r.j["data"];
  }
  std::string InstanceStatus(const std::string& id) {
    Resp r = ScnetGet("/ai/openapi/v2/instance-service/" + id + "/detail");
    return r.j["data"]["status"];
  }
};

TEST_F(ScnetTest, ListsFixtureNotebooksWithEveryField) {
  Resp r = ScnetGet(kList);
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.j["code"], "0");
  EXPECT_EQ(r.j["msg"], "success");
  EXPECT_EQ(r.j["data"]["total"], 3);
  const json& records = r.j["data"]["records"];
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[0]["notebookName"], "2503021210191107");
  EXPECT_EQ(records[0]["notebookStatus"], "Running");
  EXPECT_EQ(records[1]["notebookStatus"], "Terminated");
  EXPECT_EQ(records[2]["command"], "python -m http.server 8000");
  EXPECT_EQ(records[2]["customizePort"], "8000");
  EXPECT_TRUE(records[0]["sshPassword"].is_string());
  EXPECT_EQ(records[0]["id"], "1896050410550136833");
  EXPECT_TRUE(records[0]["command"].is_null());
}

TEST_F(ScnetTest, ListNotebooksPaginatesAndFilters) {
  Resp page1 = ScnetGet(std::string(kList) + "?page=1&size=2");
  EXPECT_EQ(page1.j["data"]["total"], 3);
  EXPECT_EQ(page1.j["data"]["records"].size(), 2u);
  Resp page2 = ScnetGet(std::string(kList) + "?page=2&size=2");
  ASSERT_EQ(page2.j["data"]["records"].size(), 1u);
  EXPECT_EQ(page2.j["data"]["records"][0]["notebookName"], "2503021210191109");
  Resp page3 = ScnetGet(std::string(kList) + "?page=3&size=2");
  EXPECT_EQ(page3.j["data"]["total"], 3);
  EXPECT_TRUE(page3.j["data"]["records"].empty());

  Resp running = ScnetGet(std::string(kList) + "?notebookStatus=Running");
  EXPECT_EQ(running.j["data"]["total"], 2);
  Resp named = ScnetGet(std::string(kList) + "?notebookName=2503021210191108");
  ASSERT_EQ(named.j["data"]["total"], 1);
  EXPECT_EQ(named.j["data"]["records"][0]["id"], "1896050410550136834");

  EXPECT_EQ(ScnetGet(std::string(kList) + "?page=0").j,
            Envelope("10004", "invalid parameter page: must be an integer >= 1, got \"0\""));
  EXPECT_EQ(ScnetGet(std::string(kList) + "?notebookStatus=Sleeping").j,
            Envelope("10004",
                     "invalid parameter notebookStatus: unknown status \"Sleeping\" (Creating, "
                     "Restarting, Running, Terminated, Failed, Shutting)"));
}

TEST_F(ScnetTest, RejectsMissingAndWrongTokens) {
  Resp missing = ScnetGet(kList, "");
  EXPECT_EQ(missing.status, 200);
  EXPECT_EQ(missing.j, Envelope("10009", "no access: the token header is missing"));
  Resp wrong = ScnetPost(kTask, SeedCreateRequest(), "not-the-token");
  EXPECT_EQ(wrong.j, Envelope("10009", "no access: the token is invalid or expired"));
  EXPECT_TRUE(sim_->ListInstances().size() == 1u);  // only the fixture's
  json stats = sim_->Stats()["scnet"];
  EXPECT_EQ(stats["rejected"]["auth"], 2);
  EXPECT_EQ(stats["calls"]["ListNotebooks"], 1);
  EXPECT_EQ(stats["calls"]["CreateContainerInstance"], 1);
}

TEST_F(ScnetTest, StartNotebookGoesThroughRestartingToRunning) {
  Resp r = ScnetPost(kStart, {{"notebookId", "1896050410550136834"}});
  EXPECT_EQ(r.j, Envelope("0", "success"));
  EXPECT_EQ(Notebook("2503021210191108")["notebookStatus"], "Restarting");
  Advance(milliseconds(499));
  EXPECT_EQ(Notebook("2503021210191108")["notebookStatus"], "Restarting");
  Advance(milliseconds(1));
  EXPECT_EQ(Notebook("2503021210191108")["notebookStatus"], "Running");

  EXPECT_EQ(ScnetPost(kStart, {{"notebookId", "1896050410550136834"}}).j,
            Envelope("10004",
                     "invalid parameter notebookId: notebook 1896050410550136834 is Running; "
                     "only Terminated or Failed notebooks can be started"));
  EXPECT_EQ(ScnetPost(kStart, json::object()).j,
            Envelope("10003", "missing required parameter notebookId"));
  EXPECT_EQ(ScnetPost(kStart, {{"notebookId", "42"}}).j,
            Envelope("10004", "invalid parameter notebookId: notebook 42 does not exist"));
}

TEST_F(ScnetTest, CustomServiceOnRunningNotebookIsRecorded) {
  json seed = json::parse(
      ReadFile(SourcePath("tests/fixtures/seeds/001_customize_service_start_request.json")));
  ASSERT_TRUE(seed.contains("customsizePort"));  // the curl example's typo is accepted
  Resp r = ScnetPost(kService, seed);
  EXPECT_EQ(r.j, Envelope("0", "success",
                          {{"execSuccess", true}, {"errorMsg", nullptr}, {"output", nullptr}}));
  json nb = Notebook("2503021210191107");
  EXPECT_EQ(nb["command"], seed["command"]);
  EXPECT_EQ(nb["customizePort"], "1223");

  Resp with_int_port = ScnetPost(
      kService, {{"id", "1896050410550136835"}, {"command", "serve"}, {"customizePort", 9000}});
  EXPECT_EQ(with_int_port.j["data"]["execSuccess"], true);
  EXPECT_EQ(Notebook("2503021210191109")["customizePort"], "9000");
}

TEST_F(ScnetTest, CustomServiceOnStoppedNotebookFailsInsideSuccessEnvelope) {
  Resp r = ScnetPost(
      kService,
      {{"id", "1896050410550136834"}, {"command", "python app.py"}, {"customizePort", "1223"}});
  EXPECT_EQ(r.j, Envelope("0", "success",
                          {{"execSuccess", false},
                           {"errorMsg",
                            "notebook 2503021210191108 is Terminated, not Running; start the "
                            "notebook first"},
                           {"output", nullptr}}));
  EXPECT_TRUE(Notebook("2503021210191108")["command"].is_null());
}

TEST_F(ScnetTest, CustomServiceValidatesParameters) {
  EXPECT_EQ(ScnetPost(kService, {{"command", "x"}, {"customizePort", "1"}}).j,
            Envelope("10003", "missing required parameter id"));
  EXPECT_EQ(ScnetPost(kService, {{"id", "1896050410550136833"}, {"customizePort", "1"}}).j,
            Envelope("10003", "missing required parameter command"));
  EXPECT_EQ(ScnetPost(kService, {{"id", "1896050410550136833"}, {"command", "x"}}).j,
            Envelope("10003", "missing required parameter customizePort"));
  EXPECT_EQ(ScnetPost(kService,
                      {{"id", "1896050410550136833"}, {"command", "x"}, {"customizePort", "http"}})
                .j,
            Envelope("10004",
                     "invalid parameter customizePort: must be a port number between 1 and 65535"));
}

TEST_F(ScnetTest, StoppingANotebookClearsItsService) {
  Status forced = sim_->ForceState({{"cloud", "scnet"},
                                    {"kind", "notebook"},
                                    {"name", "2503021210191109"},
                                    {"status", "Terminated"}});
  ASSERT_TRUE(forced) << forced.error().message;
  json nb = Notebook("2503021210191109");
  EXPECT_EQ(nb["notebookStatus"], "Terminated");
  EXPECT_TRUE(nb["command"].is_null());
  EXPECT_TRUE(nb["customizePort"].is_null());
}

TEST_F(ScnetTest, CreatedInstanceGoesWaitingDeployingRunning) {
  const std::string id = CreateInstance(SeedCreateRequest());
  EXPECT_TRUE(std::regex_match(id, std::regex("[0-9a-f]{32}"))) << id;
  EXPECT_EQ(InstanceStatus(id), "Waiting");
  Advance(milliseconds(300));
  EXPECT_EQ(InstanceStatus(id), "Deploying");
  Advance(milliseconds(499));
  EXPECT_EQ(InstanceStatus(id), "Deploying");
  Advance(milliseconds(1));
  EXPECT_EQ(InstanceStatus(id), "Running");

  Resp detail = ScnetGet("/ai/openapi/v2/instance-service/" + id + "/detail");
  const json& d = detail.j["data"];
  EXPECT_EQ(d["instanceServiceName"], "Instances_2205113838");
  EXPECT_EQ(d["containerPortInfoList"],
            json::parse(R"([{"protocolType":"HTTP","containerPort":18888}])"));
  EXPECT_EQ(d["mountInfoList"][0]["targetPath"], "/mnt/test_mount");
  EXPECT_EQ(d["startTime"], "2023-11-15 06:13:20");  // SimulatedClock start + 0.8 s, UTC+8
  EXPECT_EQ(d["createTime"], "2023-11-15 06:13:20");

  EXPECT_EQ(ScnetGet("/ai/openapi/v2/instance-service/nope/detail").j,
            Envelope("10004", "invalid parameter id: instance service nope does not exist"));
}

TEST_F(ScnetTest, CreateValidatesEveryRequiredField) {
  for (const char* field :
       {"instanceServiceName", "taskType", "acceleratorType", "version", "imagePath",
        "timeoutLimit", "taskNumber", "resourceGroup", "useStartScript", "startScriptActionScope",
        "cpuNumber", "ramSize", "gpuNumber"}) {
    json body = SeedCreateRequest();
    body.erase(field);
    EXPECT_EQ(ScnetPost(kTask, body).j,
              Envelope("10003", std::string("missing required parameter ") + field));
  }
  struct Case {
    const char* reason;
    json patch;
    json expected;
  } cases[] = {
      {"unknown task type",
       {{"taskType", "vnc"}},
       Envelope("10004",
                "invalid parameter taskType: \"vnc\" is not one of codeserver, jupyter, "
                "rstudio, ssh")},
      {"non-numeric cpu",
       {{"cpuNumber", "three"}},
       Envelope("10004", "invalid parameter cpuNumber: must be an integer >= 1")},
      {"bad timeout",
       {{"timeoutLimit", "1 hour"}},
       Envelope("10004",
                "invalid parameter timeoutLimit: \"1 hour\" is not HH:MM:SS or \"unlimited\"")},
      {"script enabled without content",
       {{"useStartScript", true}},
       Envelope("10003", "missing required parameter startScriptContent")},
      {"bad port",
       {{"containerPortInfoList", {{{"protocolType", "HTTP"}, {"containerPort", "x"}}}}},
       Envelope("10004",
                "invalid parameter containerPortInfoList[0].containerPort: must be a port "
                "number between 1 and 65535")},
      {"bad protocol",
       {{"containerPortInfoList", {{{"protocolType", "FTP"}, {"containerPort", 21}}}}},
       Envelope("10004",
                "invalid parameter containerPortInfoList[0].protocolType: \"FTP\" is not one "
                "of SSH, HTTP")},
      {"mount without target",
       {{"mountInfoList", {{{"sourcePath", "/a"}, {"type", "data"}}}}},
       Envelope("10003", "missing required parameter mountInfoList[0].targetPath")},
  };
  for (const auto& c : cases) {
    json body = SeedCreateRequest();
    body.merge_patch(c.patch);
    EXPECT_EQ(ScnetPost(kTask, body).j, c.expected) << c.reason;
  }
  EXPECT_EQ(sim_->ListInstances().size(), 1u);

  json int_port = SeedCreateRequest();
  int_port["containerPortInfoList"][0]["containerPort"] = 18888;
  EXPECT_FALSE(CreateInstance(int_port).empty());

  EXPECT_EQ(Send({.method = "POST",
                  .path = kTask,
                  .headers = {{"token", kTestScnetToken}},
                  .body = "{not json"})
                .j,
            Envelope("10004", "invalid parameter: the request body is not a JSON object"));
}

TEST_F(ScnetTest, ListInstancesRequiresLimitAndSortAndFilters) {
  EXPECT_EQ(ScnetGet(std::string(kTask) + "?sort=desc").j,
            Envelope("10003", "missing required parameter limit"));
  EXPECT_EQ(ScnetGet(std::string(kTask) + "?limit=10").j,
            Envelope("10003", "missing required parameter sort"));
  EXPECT_EQ(ScnetGet(std::string(kTask) + "?limit=10&sort=up").j,
            Envelope("10004", "invalid parameter sort: \"up\" is not one of desc, asc"));

  json a = SeedCreateRequest();
  a["instanceServiceName"] = "alpha";
  a["taskType"] = "jupyter";
  const std::string alpha = CreateInstance(a);
  json b = SeedCreateRequest();
  b["instanceServiceName"] = "beta";
  const std::string beta = CreateInstance(b);

  json all = Instances("start=0&limit=10&sort=desc");
  EXPECT_EQ(all["total"], 3);
  ASSERT_EQ(all["list"].size(), 3u);
  EXPECT_EQ(all["list"][0]["id"], beta);
  EXPECT_EQ(all["list"][2]["instanceServiceName"], "legacy-ssh-box");
  const json& item = all["list"][0];
  for (const char* key :
       {"id", "instanceServiceName", "status", "createTime", "startTime", "description", "taskType",
        "acceleratorType", "version", "imagePath", "cpuNumber", "ramSize", "gpuNumber",
        "taskNumber", "resourceGroup", "timeoutLimit"}) {
    EXPECT_TRUE(item.contains(key)) << key;
  }
  json asc = Instances("start=1&limit=1&sort=asc");
  EXPECT_EQ(asc["total"], 3);
  ASSERT_EQ(asc["list"].size(), 1u);
  EXPECT_EQ(asc["list"][0]["id"], alpha);

  EXPECT_EQ(Instances("limit=10&sort=desc&instanceServiceName=alp")["list"][0]["id"], alpha);
  EXPECT_EQ(Instances("limit=10&sort=desc&taskType=jupyter")["total"], 1);
  EXPECT_EQ(Instances("limit=10&sort=desc&status=Waiting")["total"], 2);
  EXPECT_EQ(Instances("limit=10&sort=desc&status=Running")["list"][0]["instanceServiceName"],
            "legacy-ssh-box");
}

TEST_F(ScnetTest, DuplicateNamesAreAllowedLikeTheRealCloud) {
  CreateInstance(SeedCreateRequest());
  CreateInstance(SeedCreateRequest());
  EXPECT_EQ(Instances("limit=10&sort=desc&instanceServiceName=Instances_2205113838")["total"], 2);
}

TEST_F(ScnetTest, RestartOnlyStoppedInstances) {
  const std::string legacy = "530491fa7c8e47348f01de73e627a6a7";
  EXPECT_EQ(
      ScnetPost(std::string(kRestart) + "?instanceServiceId=" + legacy, json::object()).j,
      Envelope("10004", "invalid parameter instanceServiceId: instance service " + legacy +
                            " is Running; only Failed, Terminated or Completed instances can be "
                            "restarted"));
  EXPECT_EQ(ScnetPost(kRestart, json::object()).j,
            Envelope("10003", "missing required parameter instanceServiceId"));
  for (const char* stopped : {"Failed", "Terminated", "Completed"}) {
    Status forced = sim_->ForceState({{"cloud", "scnet"},
                                      {"kind", "instance"},
                                      {"name", "legacy-ssh-box"},
                                      {"status", stopped}});
    ASSERT_TRUE(forced) << forced.error().message;
    EXPECT_EQ(InstanceStatus(legacy), stopped);
    EXPECT_EQ(ScnetPost(std::string(kRestart) + "?instanceServiceId=" + legacy, json::object()).j,
              Envelope("0", "success", legacy));
    EXPECT_EQ(InstanceStatus(legacy), "Waiting");
    Advance(milliseconds(800));
    EXPECT_EQ(InstanceStatus(legacy), "Running");
  }
}

TEST_F(ScnetTest, StopLeavesInstancesTerminatedAndTakesRepeatedIds) {
  const std::string legacy = "530491fa7c8e47348f01de73e627a6a7";
  const std::string fresh = CreateInstance(SeedCreateRequest());  // Waiting
  EXPECT_EQ(ScnetPost(std::string(kStop) + "?ids=" + legacy + "&ids=" + fresh, json::object()).j,
            Envelope("0", "success"));
  EXPECT_EQ(InstanceStatus(legacy), "Terminated");
  EXPECT_EQ(InstanceStatus(fresh), "Terminated");
  Advance(milliseconds(2000));  // no pending step brings it back
  EXPECT_EQ(InstanceStatus(fresh), "Terminated");
  EXPECT_EQ(ScnetPost(std::string(kStop) + "?ids=" + legacy, json::object()).j,
            Envelope("10004", "invalid parameter ids: instance service " + legacy +
                                  " is Terminated; only Running, Deploying or Waiting instances "
                                  "can be stopped"));
  EXPECT_EQ(ScnetPost(kStop, json::object()).j, Envelope("10003", "missing required parameter ids"));
  // A stopped instance restarts.
  EXPECT_EQ(ScnetPost(std::string(kRestart) + "?instanceServiceId=" + legacy, json::object()).j,
            Envelope("0", "success", legacy));
  EXPECT_EQ(sim_->Stats()["scnet"]["calls"]["StopContainerInstance"], 3);
}

TEST_F(ScnetTest, DeleteRemovesInstancesInAnyStatus) {
  const std::string legacy = "530491fa7c8e47348f01de73e627a6a7";
  const std::string fresh = CreateInstance(SeedCreateRequest());
  EXPECT_EQ(Send({.method = "DELETE",
                  .path = std::string(kTask) + "?ids=nope",
                  .headers = {{"token", kTestScnetToken}}})
                .j,
            Envelope("10004", "invalid parameter ids: instance service nope does not exist"));
  EXPECT_EQ(Instances("limit=10&sort=desc")["total"], 2);
  Resp deleted = Send({.method = "DELETE",
                       .path = std::string(kTask) + "?ids=" + legacy,
                       .headers = {{"token", kTestScnetToken}}});
  EXPECT_EQ(deleted.j, Envelope("0", "success"));
  json left = Instances("limit=10&sort=desc");
  EXPECT_EQ(left["total"], 1);
  EXPECT_EQ(left["list"][0]["id"], fresh);
  EXPECT_EQ(sim_->Stats()["scnet"]["calls"]["DeleteContainerInstance"], 2);
}

TEST_F(ScnetTest, RecordsShapeIsSwitchable) {
  sim_->Stop();
  options_.instance_list_key = "records";
  StartSim();
  json data = Instances("limit=10&sort=desc");
  EXPECT_FALSE(data.contains("list"));
  ASSERT_EQ(data["records"].size(), 1u);
}

TEST_F(ScnetTest, UnknownEndpointIs404) {
  Resp r = ScnetGet("/ai/openapi/v2/nothing");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(r.j, Envelope("404", "no such endpoint: GET /ai/openapi/v2/nothing"));
}

}  // namespace
}  // namespace converge::sim::testing

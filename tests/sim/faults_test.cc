// Rate limits, fault injection, stats, admin endpoints and listener lifecycle.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <thread>

#include "sim/faults.h"
#include "sim/stats.h"
#include "sim_harness.h"
#include "support/poll.h"
#include "support/temp_dir.h"

namespace converge::sim::testing {
namespace {

using std::chrono::milliseconds;
using Steady = std::chrono::steady_clock;

class FaultsTest : public SimTest {
 protected:
  void Fault(const json& rule) {
    Status set = sim_->SetFaults({{"rules", {rule}}});
    ASSERT_TRUE(set) << set.error().message;
  }
  size_t InstanceCount() { return sim_->ListInstances().size(); }
};

TEST_F(FaultsTest, TioneRateLimitRejectsOverTwentyPerSecond) {
  sim_->Stop();
  options_.tione_rate_limit = 20;
  StartSim();
  for (int i = 0; i < 20; ++i) {
    Resp r = Tione("DescribeNotebooks", json::object());
    ASSERT_FALSE(r.j["Response"].contains("Error")) << i << ": " << r.body;
  }
  Resp limited = Tione("DescribeNotebooks", json::object());
  EXPECT_EQ(limited.status, 200);
  EXPECT_EQ(TioneErrorOf(limited),
            json({{"Code", "RequestLimitExceeded"},
                  {"Message",
                   "Your current request times equals to `21` in a second, which exceeds the "
                   "frequency limit `20` for a second. Please reduce the frequency of calls."}}));
  Advance(milliseconds(1000));
  EXPECT_FALSE(Tione("DescribeNotebooks", json::object()).j["Response"].contains("Error"));
  json stats = sim_->Stats()["tione"];
  EXPECT_EQ(stats["rejected"]["rate_limited"], 1);
  EXPECT_EQ(stats["max_requests_per_second"], 21);
  EXPECT_EQ(stats["calls"]["DescribeNotebooks"], 22);
  EXPECT_EQ(sim_->Stats()["scnet"]["max_requests_per_second"], 0);
}

TEST_F(FaultsTest, ScnetRateLimitAnswers429) {
  sim_->Stop();
  options_.scnet_rate_limit = 5;
  StartSim();
  for (int i = 0; i < 5; ++i) ASSERT_EQ(ScnetGet(kList).j["code"], "0");
  Resp limited = ScnetGet(kList);
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(limited.j, Envelope("10001",
                                "request rate limit exceeded: at most 5 requests per second; "
                                "retry later"));
  Advance(milliseconds(200));  // one token back
  EXPECT_EQ(ScnetGet(kList).j["code"], "0");
  EXPECT_EQ(ScnetGet(kList).status, 429);
  EXPECT_EQ(sim_->Stats()["scnet"]["rejected"]["rate_limited"], 2);
}

TEST_F(FaultsTest, ErrorFaultAppliesNothing) {
  Fault({{"cloud", "scnet"},
         {"operation", "CreateContainerInstance"},
         {"mode", "error"},
         {"times", 1}});
  EXPECT_EQ(
      ScnetPost(kTask, SeedCreateRequest()).j,
      Envelope("10001", "internal error (injected by the simulator for CreateContainerInstance)"));
  EXPECT_EQ(InstanceCount(), 1u);
  EXPECT_EQ(ScnetPost(kTask, SeedCreateRequest()).j["code"], "0");  // times: 1 is used up
  EXPECT_EQ(InstanceCount(), 2u);
  json stats = sim_->Stats()["scnet"];
  EXPECT_EQ(stats["rejected"]["fault"], 1);
  EXPECT_EQ(stats["faults"]["error"], 1);

  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "error"}});
  Resp r = Tione("CreateNotebook", json::object());
  EXPECT_EQ(TioneErrorOf(r)["Code"], "InternalError");
  EXPECT_EQ(TioneErrorOf(r)["Message"],
            "An internal error has occurred (injected by the simulator for CreateNotebook). "
            "Retry your request.");
  // Other operations are untouched.
  EXPECT_FALSE(Tione("DescribeNotebooks", json::object()).j["Response"].contains("Error"));
}

TEST_F(FaultsTest, LifecycleOperationsTakeFaults) {
  Status set = sim_->SetFaults(
      {{"rules",
        {{{"cloud", "scnet"}, {"operation", "DeleteContainerInstance"}, {"mode", "error"}},
         {{"cloud", "tione"}, {"operation", "ModifyNotebook"}, {"mode", "error"}}}}});
  ASSERT_TRUE(set) << set.error().message;
  const std::string legacy = "530491fa7c8e47348f01de73e627a6a7";
  EXPECT_EQ(Send({.method = "DELETE",
                  .path = std::string(kTask) + "?ids=" + legacy,
                  .headers = {{"token", kTestScnetToken}}})
                .j,
            Envelope("10001",
                     "internal error (injected by the simulator for "
                     "DeleteContainerInstance)"));
  EXPECT_EQ(InstanceCount(), 1u);  // nothing applied
  EXPECT_EQ(TioneErrorOf(Tione("ModifyNotebook", {{"Id", "nb-1"}}))["Code"], "InternalError");
  EXPECT_EQ(sim_->Stats()["scnet"]["faults"]["error"], 1);
  EXPECT_EQ(sim_->Stats()["tione"]["faults"]["error"], 1);
}

// "answers" tells a call the cloud applied from one it refused, per operation:
// what proves that a resource was deleted exactly once.
TEST_F(FaultsTest, AnswersCountEachOperationsOutcomesByCode) {
  const std::string legacy = "530491fa7c8e47348f01de73e627a6a7";
  const test_support::Request del{.method = "DELETE",
                                  .path = std::string(kTask) + "?ids=" + legacy,
                                  .headers = {{"token", kTestScnetToken}}};
  Fault({{"operation", "DeleteContainerInstance"}, {"mode", "error"}, {"times", 1}});
  EXPECT_EQ(Send(del).j["code"], "10001");  // injected: nothing applied
  EXPECT_EQ(Send(del).j["code"], "0");      // applied
  EXPECT_EQ(Send(del).j["code"], "10004");  // already gone
  EXPECT_EQ(ScnetGet(kList, "wrong-token").j["code"], "10009");
  Fault({{"operation", "CreateNotebook"}, {"mode", "drop"}, {"times", 1}});
  const json create = {
      {"Name", "once"},
      {"ChargeType", "POSTPAID_BY_HOUR"},
      {"ResourceConf",
       {{"Cpu", 2000}, {"Memory", 4000}, {"Gpu", 0}, {"InstanceType", "TI.S.MEDIUM.POST"}}},
      {"LogEnable", false},
      {"RootAccess", true},
      {"AutoStopping", false},
      {"DirectInternetAccess", true},
      {"VolumeSizeInGB", 10}};
  EXPECT_FALSE(Tione("CreateNotebook", create).transport_error.empty());  // applied, dropped
  EXPECT_EQ(TioneErrorOf(Tione("CreateNotebook", create))["Code"], "ResourceInUse");

  const json stats = sim_->Stats();
  EXPECT_EQ(stats["scnet"]["answers"],
            json::parse(R"({"DeleteContainerInstance":{"10001":1,"ok":1,"10004":1},)"
                        R"("ListNotebooks":{"10009":1}})"));
  EXPECT_EQ(stats["tione"]["answers"],
            json::parse(R"({"CreateNotebook":{"ok":1,"ResourceInUse":1}})"));
  EXPECT_EQ(stats["scnet"]["calls"]["DeleteContainerInstance"], 3);
}

TEST_F(FaultsTest, LatencyDelaysTheAnswer) {
  Fault({{"operation", "ListNotebooks"}, {"mode", "latency"}, {"latency_ms", 200}});
  const auto start = Steady::now();
  EXPECT_EQ(ScnetGet(kList).j["code"], "0");
  EXPECT_GE(Steady::now() - start, milliseconds(200));
  EXPECT_EQ(sim_->Stats()["scnet"]["faults"]["latency"], 1);
}

TEST_F(FaultsTest, MalformedBodyIsUnparseableButApplied) {
  Fault({{"operation", "CreateContainerInstance"}, {"mode", "malformed"}});
  Resp r = ScnetPost(kTask, SeedCreateRequest());
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.transport_error.empty()) << r.transport_error;
  EXPECT_TRUE(r.j.is_discarded()) << r.body;
  EXPECT_EQ(r.body, R"({"code":"0","msg":"success","data":)");
  EXPECT_EQ(InstanceCount(), 2u);
}

TEST_F(FaultsTest, CommitThenDropIsATransportErrorAfterTheCreate) {
  Fault({{"operation", "CreateContainerInstance"}, {"mode", "drop"}, {"times", 1}});
  Resp r = ScnetPost(kTask, SeedCreateRequest());
  // Content-Length announces the whole answer; half of it arrives, then the close.
  EXPECT_TRUE(r.transport_error.starts_with("the connection closed after ") &&
              r.transport_error.ends_with(" body bytes"))
      << r.transport_error;
  EXPECT_EQ(InstanceCount(), 2u);  // committed
  EXPECT_EQ(sim_->Stats()["scnet"]["faults"]["drop"], 1);

  Fault({{"cloud", "tione"}, {"operation", "CreateNotebook"}, {"mode", "drop"}});
  Resp t = Tione("CreateNotebook", {{"Name", "dropped"},
                                    {"ChargeType", "POSTPAID_BY_HOUR"},
                                    {"ResourceConf", {{"InstanceType", "TI.S.MEDIUM.POST"}}},
                                    {"LogEnable", false},
                                    {"RootAccess", true},
                                    {"AutoStopping", false},
                                    {"DirectInternetAccess", true}});
  EXPECT_FALSE(t.transport_error.empty());
  EXPECT_EQ(sim_->State()["tione"]["notebooks"][1]["Name"], "dropped");
}

TEST_F(FaultsTest, HangTimesTheClientOutAndStopStillReturnsPromptly) {
  Fault({{"operation", "CreateContainerInstance"}, {"mode", "hang"}});
  Resp r = ScnetPost(kTask, SeedCreateRequest(), kTestScnetToken, milliseconds(500));
  EXPECT_FALSE(r.transport_error.empty());
  EXPECT_EQ(InstanceCount(), 2u);
  const auto start = Steady::now();
  sim_->Stop();
  EXPECT_LT(Steady::now() - start, milliseconds(2000));
}

TEST_F(FaultsTest, StopCutsInjectedLatencyShort) {
  Fault({{"operation", "ListNotebooks"}, {"mode", "latency"}, {"latency_ms", 60000}});
  std::thread client([&] { ScnetGet(kList); });
  // Stop once the request is being held (counted before the pause starts).
  EXPECT_TRUE(
      test_support::WaitFor([&] { return sim_->Stats()["scnet"]["faults"]["latency"] == 1; },
                            milliseconds(5000), milliseconds(5)));
  const auto start = Steady::now();
  sim_->Stop();
  EXPECT_LT(Steady::now() - start, milliseconds(2000));
  client.join();
}

TEST_F(FaultsTest, AdminEndpointsOverHttp) {
  Resp bad = Admin("POST", "/_sim/faults", {{"rules", {{{"mode", "explode"}}}}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.j["error"],
            "fault rule 0: fault rule field \"mode\" must be one of error, latency, malformed, "
            "drop, hang");
  Resp set = Admin("POST", "/_sim/faults",
                   {{"rules", {{{"operation", "ListNotebooks"}, {"mode", "error"}}}}});
  EXPECT_EQ(set.status, 200);
  EXPECT_EQ(Admin("GET", "/_sim/faults").j,
            json::parse(R"({"rules":[{"cloud":"*","mode":"error","operation":"ListNotebooks",)"
                        R"("rate":1.0,"times":-1}]})"));
  EXPECT_EQ(ScnetGet(kList).j["code"], "10001");
  EXPECT_EQ(Admin("POST", "/_sim/faults", json::object()).status, 200);
  EXPECT_EQ(ScnetGet(kList).j["code"], "0");

  Resp forced = Admin(
      "POST", "/_sim/state",
      {{"cloud", "scnet"}, {"kind", "instance"}, {"name", "legacy-ssh-box"}, {"status", "Failed"}});
  EXPECT_EQ(forced.status, 200) << forced.body;
  EXPECT_EQ(Admin("GET", "/_sim/state").j["scnet"]["instances"][0]["status"], "Failed");
  Resp unknown =
      Admin("POST", "/_sim/state", {{"cloud", "tione"}, {"name", "ghost"}, {"status", "Stopped"}});
  EXPECT_EQ(unknown.status, 400);
  EXPECT_EQ(unknown.j["error"], "no tione notebook with name \"ghost\"");
  Resp bad_status =
      Admin("POST", "/_sim/state",
            {{"cloud", "scnet"}, {"kind", "notebook"}, {"name", "x"}, {"status", "Asleep"}});
  EXPECT_EQ(bad_status.j["error"],
            "unknown status \"Asleep\" for scnet notebook (Creating, Failed, Restarting, "
            "Running, Shutting, Terminated)");

  json stats = Admin("GET", "/_sim/stats").j;
  EXPECT_EQ(stats["scnet"]["calls"]["ListNotebooks"], 2);
  EXPECT_EQ(Admin("POST", "/_sim/reset").status, 200);
  stats = Admin("GET", "/_sim/stats").j;
  EXPECT_EQ(stats["scnet"]["total_calls"], 0);
  EXPECT_EQ(stats["scnet"]["max_requests_per_second"], 0);
  EXPECT_EQ(sim_->State()["scnet"]["instances"][0]["status"], "Failed");  // state kept
  EXPECT_EQ(Admin("POST", "/_sim/reset", {{"state", true}}).status, 200);
  EXPECT_EQ(sim_->State()["scnet"]["instances"][0]["status"], "Running");
  EXPECT_EQ(Admin("GET", "/_sim/nothing").status, 404);
}

// Requests are stamped on arrival and admitted when they get the simulator's
// lock, so a request may be admitted after a later one: it counts in the
// one-second windows of its arrival, not of its admission.
TEST(CloudStatsTest, CountsEachRequestInTheWindowsOfItsArrival) {
  const SteadyTime t0{};
  CloudStats stats;
  EXPECT_TRUE(stats.Admit(t0 + milliseconds(900), 0));
  EXPECT_TRUE(stats.Admit(t0 + milliseconds(1500), 0));
  EXPECT_TRUE(stats.Admit(t0, 0));  // arrived first, admitted last
  EXPECT_EQ(stats.max_rps, 2);      // {0, 900} or {900, 1500}; never all three
  EXPECT_EQ(stats.last_rps, 1);
  EXPECT_TRUE(stats.Admit(t0 + milliseconds(950), 0));  // {0, 900, 950} and {900, 950, 1500}
  EXPECT_EQ(stats.max_rps, 3);
  EXPECT_TRUE(stats.Admit(t0 + milliseconds(1000), 0));  // 0 is out: (0, 1000] holds 900..1000
  EXPECT_EQ(stats.max_rps, 4);                           // (500, 1500]: 900, 950, 1000, 1500
  EXPECT_EQ(stats.last_rps, 3);
}

TEST(FaultSpecTest, ParsesTheCommandLineForm) {
  struct Case {
    const char* spec;
    const char* expected;
  } cases[] = {
      {"CreateContainerInstance:drop",
       R"({"cloud":"*","operation":"CreateContainerInstance","mode":"drop","rate":1.0,"times":-1})"},
      {"tione/*:error:0.5",
       R"({"cloud":"tione","operation":"*","mode":"error","rate":0.5,"times":-1})"},
      {"*:latency:200ms",
       R"({"cloud":"*","operation":"*","mode":"latency","rate":1.0,"times":-1,"latency_ms":200})"},
      {"ListNotebooks:latency:1.5s",
       R"({"cloud":"*","operation":"ListNotebooks","mode":"latency","rate":1.0,"times":-1,"latency_ms":1500})"},
      {"scnet/StartNotebook:malformed:1:2",
       R"({"cloud":"scnet","operation":"StartNotebook","mode":"malformed","rate":1.0,"times":2})"},
      {R"({"operation":"CreateNotebook","mode":"hang"})",
       R"({"cloud":"*","operation":"CreateNotebook","mode":"hang","rate":1.0,"times":-1})"},
  };
  for (const auto& c : cases) {
    auto rule = ParseFaultSpec(c.spec);
    ASSERT_TRUE(rule) << c.spec << ": " << rule.error().message;
    EXPECT_EQ(*rule, json::parse(c.expected)) << c.spec;
  }
  const auto error = [](const std::string& spec) {
    auto rule = ParseFaultSpec(spec);
    if (rule) return std::string("parsed");
    EXPECT_EQ(rule.error().code, Error::Code::kInvalidArgument) << spec;
    return rule.error().message;
  };
  EXPECT_EQ(error("CreateNotebook"),
            "bad fault spec \"CreateNotebook\" (expected [CLOUD/]OPERATION:MODE[:VALUE[:TIMES]], "
            "e.g. CreateContainerInstance:drop, tione/*:error:0.5, *:latency:200ms)");
  EXPECT_EQ(error("X:error:2"),
            "bad fault spec \"X:error:2\": rate \"2\" must be a number between 0 and 1");
  EXPECT_EQ(error("aws/X:error"),
            "bad fault spec \"aws/X:error\": cloud must be scnet or tione (expected "
            "[CLOUD/]OPERATION:MODE[:VALUE[:TIMES]], e.g. CreateContainerInstance:drop, "
            "tione/*:error:0.5, *:latency:200ms)");
  EXPECT_EQ(error(R"({"mode":"explode"})"),
            "fault rule field \"mode\" must be one of error, latency, malformed, drop, hang");
  EXPECT_EQ(error("X:explode"),
            "bad fault spec \"X:explode\": unknown mode \"explode\" (error, latency, "
            "malformed, drop, hang)");
}

// The in-process admin API tells "nothing matches" (kNotFound) from a request
// that is wrong (kInvalidArgument); POST /_sim/state answers 400 for both.
TEST_F(FaultsTest, ForceStateAndSetFaultsReportTheKindOfFailure) {
  Status ghost = sim_->ForceState({{"cloud", "tione"}, {"name", "ghost"}, {"status", "Stopped"}});
  ASSERT_FALSE(ghost);
  EXPECT_EQ(ghost.error().code, Error::Code::kNotFound);
  EXPECT_EQ(ghost.error().message, "no tione notebook with name \"ghost\"");
  Status nameless =
      sim_->ForceState({{"cloud", "scnet"}, {"kind", "notebook"}, {"status", "Running"}});
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(nameless.error().message, "state request needs \"name\" or \"id\"");
  Status bad_rule = sim_->SetFaults({{"rules", {{{"mode", "error"}, {"rate", 2}}}}});
  ASSERT_FALSE(bad_rule);
  EXPECT_EQ(bad_rule.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(bad_rule.error().message,
            "fault rule 0: fault rule field \"rate\" must be a number between 0 and 1");
}

TEST(SimulatorStartTest, ReportsUnusableAddressesAndFixtures) {
  // The error's message, after checking its code.
  const auto error = [](Simulator& sim, Error::Code code) {
    Status started = sim.Start();
    if (started) return std::string("started");
    EXPECT_EQ(started.error().code, code) << started.error().message;
    return started.error().message;
  };
  {
    SimOptions o;
    o.address = "nonsense";
    Simulator sim(o);
    EXPECT_EQ(error(sim, Error::Code::kInvalidArgument),
              "simulator address \"nonsense\" is not HOST:PORT with a port 0..65535 (e.g. "
              "127.0.0.1:8089)");
  }
  {
    SimOptions o;
    o.address = "127.0.0.1:70000";
    Simulator sim(o);
    EXPECT_EQ(error(sim, Error::Code::kInvalidArgument),
              "simulator address \"127.0.0.1:70000\" is not HOST:PORT with a port 0..65535 (e.g. "
              "127.0.0.1:8089)");
  }
  {
    SimOptions o;
    o.address = "sim.example.invalid:0";
    Simulator sim(o);
    EXPECT_EQ(error(sim, Error::Code::kInvalidArgument),
              "simulator cannot listen on sim.example.invalid:0: \"sim.example.invalid\" is not a "
              "local IP address such as 127.0.0.1 (is the port in use? pick another with --addr, "
              "or port 0)");
  }
  {
    SimOptions o;
    o.address = "127.0.0.1:0";
    o.fixture_file = "/nonexistent/demo.json";
    Simulator sim(o);
    EXPECT_EQ(error(sim, Error::Code::kIOError),
              "cannot read simulator fixture /nonexistent/demo.json: no such file or not "
              "readable");
  }
  {
    const test_support::TempDir dir("converge-sim-fixture");
    const std::string path =
        dir.Write("bad_fixture.json",
                  R"({"scnet":{"instances":[{"instanceServiceName":"x","status":"Up"}]}})");
    SimOptions o;
    o.address = "127.0.0.1:0";
    o.fixture_file = path;
    Simulator sim(o);
    EXPECT_EQ(error(sim, Error::Code::kInvalidArgument),
              "simulator fixture " + path +
                  ": fixture scnet.instances[0]: unknown status \"Up\" (Running, "
                  "Deploying, Waiting, Terminated, Failed, Completed)");
  }
  {
    // A port that is taken.
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    ASSERT_EQ(::listen(fd, 1), 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
    SimOptions o;
    o.address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    Simulator sim(o);
    const std::string taken = error(sim, Error::Code::kUnavailable);
    EXPECT_TRUE(taken.starts_with("simulator cannot listen on " + o.address + ": ")) << taken;
    ::close(fd);
  }
}

TEST(SimulatorStartTest, DestructorWithoutStopIsBounded) {
  const auto start = Steady::now();
  {
    SimOptions o;
    o.address = "127.0.0.1:0";
    Simulator sim(o);
    std::string error;
    Status started = sim.Start();
    ASSERT_TRUE(started) << started.error().message;
    EXPECT_GT(sim.Port(), 0);
    EXPECT_EQ(sim.BaseUrl(), "http://127.0.0.1:" + std::to_string(sim.Port()));
  }
  EXPECT_LT(Steady::now() - start, milliseconds(2000));
}

}  // namespace
}  // namespace converge::sim::testing

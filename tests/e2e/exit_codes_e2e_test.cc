// Issue 9: the signals a CI job relies on. `converge apply` and `converge plan` as real
// processes against `converge sim` over loopback: exit codes, error counts, and no
// endless wait on an error that cannot pass on retry. Waits are bounded and polled.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>

#include "e2e/harness.h"

namespace converge::e2e {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

const char kWrongToken[] = "wrong-token-3c9d1e7a";

std::string Service(const std::string& name, const std::string& notebook) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: " + name +
         "}\nspec:\n  provider: scnet\n  notebook: \"" + notebook +
         "\"\n  port: 1223\n  command: \"python app.py\"\n";
}

// What the SCNet simulator answers a wrong token, as apply and plan print it.
const char kTokenRejected[] =
    "cannot list provider scnet: ListContainerInstances on scnet: no access: the token is "
    "invalid or expired; check the provider's SCNet token (it may have expired) and its "
    "permissions (code 10009, HTTP 200)";

struct Finished {
  int code = -1;
  std::string log;
  std::chrono::steady_clock::duration took{};
};

class ExitCodesTest : public ::testing::Test {
 protected:
  void WriteManifests(const std::string& sim_url, const std::string& resources) {
    dir_.Write("m/providers.yaml", ProvidersYaml(sim_url));
    dir_.Write("m/resources.yaml", resources);
  }
  // Runs `converge ARGS... DIR/m` to completion (at most `limit`).
  Finished Converge(std::vector<std::string> args, std::map<std::string, std::string> env,
                    std::chrono::seconds limit = seconds(60)) {
    args.insert(args.begin(), ConvergeBinary());
    args.insert(args.begin() + 2, dir_.path() + "/m");
    const auto start = std::chrono::steady_clock::now();
    Process p(args, dir_.path() + "/" + args[1] + "-" + std::to_string(++runs_) + ".log", env);
    const auto code = p.Wait(limit);
    Finished f;
    f.took = std::chrono::steady_clock::now() - start;
    f.log = p.Log();
    EXPECT_TRUE(code.has_value()) << "still running after " << limit.count() << "s\n" << f.log;
    f.code = code.value_or(-1);
    return f;
  }
  static std::map<std::string, std::string> WrongToken() {
    auto env = SimEnv();
    env["E2E_SCNET_TOKEN"] = kWrongToken;
    return env;
  }
  TempDir dir_{"converge-e2e"};
  int runs_ = 0;
};

TEST_F(ExitCodesTest, ApplyWaitExitsOneAtOnceWhenCredentialsAreRejected) {
  SimProcess sim(dir_);
  WriteManifests(sim.url(), InstanceYaml("a") + TiOneYaml("t", "Running"));
  const Finished apply =
      Converge({"apply", "--wait", "--timeout", "120s", "--state-dir", dir_.path() + "/state"},
               WrongToken(), seconds(90));
  EXPECT_EQ(apply.code, 1) << apply.log;
  // It stopped waiting for "a" once "t" was Ready, not when the timeout ran out.
  EXPECT_LT(apply.took, seconds(60)) << apply.log;
  EXPECT_THAT(apply.log,
              HasSubstr(std::string("Apply: 1/2 Ready; 1 error:\n") +
                        "  ContainerInstance/a: " + kTokenRejected + " (needs a human)\n"));
  EXPECT_THAT(apply.log, Not(HasSubstr("ran out")));
  EXPECT_THAT(apply.log, Not(HasSubstr(kWrongToken)));
  EXPECT_EQ(sim.Calls("scnet", "CreateContainerInstance"), 0);
}

TEST_F(ExitCodesTest, ApplyWithoutWaitExitsOneWhenAProviderCannotBeListed) {
  SimProcess sim(dir_);
  WriteManifests(sim.url(), InstanceYaml("a") + TiOneYaml("t", "Running"));
  const Finished apply = Converge({"apply", "--state-dir", dir_.path() + "/state"}, WrongToken());
  EXPECT_EQ(apply.code, 1) << apply.log;
  EXPECT_THAT(apply.log,
              HasSubstr(std::string("Apply: 0/2 Ready; 1 error; 1 not Ready yet (run "
                                    "with --wait to wait for the rest):\n") +
                        "  ContainerInstance/a: " + kTokenRejected + " (needs a human)\n"));
  EXPECT_EQ(sim.Calls("tione", "CreateNotebook"), 1);
}

TEST_F(ExitCodesTest, ApplyWithoutWaitExitsOneWhenAResourceEndsThePassInAnError) {
  SimProcess sim(dir_);
  WriteManifests(sim.url(), Service("webui", "2503021210191107") + TiOneYaml("t", "Running"));
  const Finished apply = Converge({"apply", "--state-dir", dir_.path() + "/state"}, SimEnv());
  EXPECT_EQ(apply.code, 1) << apply.log;
  EXPECT_THAT(apply.log, HasSubstr("Apply: 0/2 Ready; 1 error; 1 not Ready yet (run with --wait "
                                   "to wait for the rest):\n  NotebookService/webui: notebook not "
                                   "found: no SCNet notebook is named \"2503021210191107\" (needs "
                                   "a human)\n"));
}

TEST_F(ExitCodesTest, ApplyWaitKeepsWaitingThroughATransientListFailure) {
  // Every SCNet list fails with the cloud's internal error, which may pass on retry.
  SimProcess sim(dir_, {"--fault", "scnet/ListContainerInstances:error"});
  WriteManifests(sim.url(), InstanceYaml("a"));
  const Finished apply = Converge(
      {"apply", "--wait", "--timeout", "4s", "--state-dir", dir_.path() + "/state"}, SimEnv());
  EXPECT_EQ(apply.code, 1) << apply.log;
  EXPECT_GE(apply.took, seconds(4)) << apply.log;
  EXPECT_THAT(apply.log, HasSubstr("Apply: 0/1 Ready when the timeout of 4s ran out; 1 error:\n"
                                   "  ContainerInstance/a: cannot list provider scnet: "
                                   "ListContainerInstances on scnet: internal error (injected by "
                                   "the simulator for ListContainerInstances) (code 10001, HTTP "
                                   "200)\n"));
  EXPECT_THAT(apply.log, Not(HasSubstr("needs a human")));
}

TEST_F(ExitCodesTest, PlanDetailedExitcodeIsTwoOnDriftAlone) {
  // "a" runs with 4 CPUs; the manifest asks for 3. Nothing to create or change.
  SimProcess sim(dir_, {},
                 nlohmann::json{{"scnet",
                                 {{"instances",
                                   {{{"id", "9f1c"},
                                     {"instanceServiceName", "a"},
                                     {"status", "Running"},
                                     {"taskType", "jupyter"},
                                     {"cpuNumber", 4}}}}}}}
                     .dump());
  WriteManifests(sim.url(), InstanceYaml("a"));
  const Finished detailed = Converge({"plan", "--detailed-exitcode"}, SimEnv());
  EXPECT_EQ(detailed.code, 2) << detailed.log;
  EXPECT_THAT(detailed.log,
              HasSubstr("  ! ContainerInstance/a  [scnet] drift: cpu 4 \u2192 3 (needs replace; "
                        "not applied)\n"));
  EXPECT_THAT(detailed.log, HasSubstr("Plan: 0 to create, 0 to change, 1 drifted, 0 in sync, 0 "
                                      "waiting, 0 errors; 0 unmanaged.\n"));
  EXPECT_EQ(Converge({"plan"}, SimEnv()).code, 0);
}

TEST_F(ExitCodesTest, PlanCountsOneErrorForOneResourceWhoseProviderCannotBeListed) {
  SimProcess sim(dir_);
  WriteManifests(sim.url(), InstanceYaml("a"));
  const Finished plan = Converge({"plan", "--detailed-exitcode"}, WrongToken());
  EXPECT_EQ(plan.code, 1) << plan.log;
  EXPECT_THAT(plan.log, HasSubstr("\nerror: " + std::string(kTokenRejected) + "\n"));
  EXPECT_THAT(plan.log, HasSubstr("Plan: 0 to create, 0 to change, 0 drifted, 0 in sync, 0 "
                                  "waiting, 1 error; 0 unmanaged.\n"));
}

TEST_F(ExitCodesTest, AProviderWithoutResourcesThatCannotBeListedIsOneError) {
  SimProcess sim(dir_, {},
                 nlohmann::json{{"scnet",
                                 {{"instances",
                                   {{{"id", "9f1c"},
                                     {"instanceServiceName", "a"},
                                     {"status", "Running"},
                                     {"taskType", "jupyter"}}}}}}}
                     .dump());
  WriteManifests(sim.url(), InstanceYaml("a"));  // nothing on tione, whose SecretKey is wrong
  auto env = SimEnv();
  env["E2E_SECRET_KEY"] = "wrong-key-0b7e52";
  const Finished apply = Converge({"apply", "--state-dir", dir_.path() + "/state"}, env);
  EXPECT_EQ(apply.code, 1) << apply.log;
  EXPECT_THAT(apply.log, HasSubstr("Apply: 1/1 Ready; 1 error:\n  cannot list provider tione: "
                                   "DescribeNotebooks on tione: The provided credentials could "
                                   "not be validated."));
  EXPECT_THAT(apply.log, HasSubstr("(code AuthFailure.SignatureFailure"));
  const Finished plan = Converge({"plan"}, env);
  EXPECT_EQ(plan.code, 1) << plan.log;
  EXPECT_THAT(plan.log, HasSubstr("Plan: 0 to create, 0 to change, 0 drifted, 1 in sync, 0 "
                                  "waiting, 1 error; 0 unmanaged.\n"));
}

}  // namespace
}  // namespace converge::e2e

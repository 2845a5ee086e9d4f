// Issue 9 item 6: a provider whose secrets cannot be read fails only its own
// resources; the other providers reconcile, and every missing variable is
// reported at start. Real `converge sim`, `run` and `plan` processes on loopback.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/net.h"
#include "e2e/harness.h"
#include "sim/simulator.h"

namespace converge::e2e {
namespace {

using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kMissingId[] =
    "provider tione: spec.secretId: environment variable E2E_UNSET_SECRET_ID is not set; set it "
    "or use fromFile";
constexpr char kMissingKey[] =
    "provider tione: spec.secretKey: environment variable E2E_UNSET_SECRET_KEY is not set; set "
    "it or use fromFile";

class MissingSecretTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The scnet provider's token is set; neither of the tione provider's variables is.
    std::string providers = ProvidersYaml(sim_.url());
    for (const std::string from : {"E2E_SECRET_ID", "E2E_SECRET_KEY"}) {
      providers.replace(providers.find(from), from.size(),
                        "E2E_UNSET_" + from.substr(std::string("E2E_").size()));
    }
    dir_.Write("m/providers.yaml", providers);
    dir_.Write("m/resources.yaml",
               "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\n"
               "metadata: {name: bert}\nspec:\n  provider: scnet\n  taskType: jupyter\n"
               "  image: {name: \"jupyter:4.4-py3.7-cpu\", path: "
               "\"10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu\"}\n"
               "  resourceGroup: TeslaM40\n  accelerator: {type: gpu, count: 1}\n  cpu: 3\n"
               "  memoryMB: 15360\n"
               "---\napiVersion: converge.dev/v1alpha1\nkind: TiOneNotebook\n"
               "metadata: {name: nb}\nspec:\n  provider: tione\n  state: Running\n"
               "  chargeType: POSTPAID_BY_HOUR\n"
               "  resources: {instanceType: TI.S.MEDIUM.POST, cpu: 2000, memory: 4000, gpu: 0}\n"
               "  image: {type: SYSTEM, url: \"tione.tencentcloudcr.com/qcloud-ti-platform/x:1\"}\n"
               "  volumeSizeInGB: 10\n");
  }
  std::map<std::string, std::string> Env() const {
    return {{"E2E_SCNET_TOKEN", sim::kTestScnetToken}};
  }

  TempDir dir_{"converge-e2e"};
  SimProcess sim_{dir_};
};

TEST_F(MissingSecretTest, RunReconcilesTheOtherProviderAndNamesEveryMissingVariable) {
  const std::string addr = "127.0.0.1:" + std::to_string(net::FreePort("127.0.0.1"));
  Process run({ConvergeBinary(), "run", dir_.path() + "/m", "--metrics-addr", addr, "--state-dir",
               dir_.path() + "/state", "--poll", "300ms"},
              dir_.path() + "/run.log", Env());
  nlohmann::json nb;
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto status = Get("http://" + addr, "/status").Json();
        if (!status.is_object() || !status.contains("resources")) return false;
        bool bert_ready = false;
        for (const auto& r : status["resources"]) {
          if (r["name"] == "bert") bert_ready = r["conditions"][1]["status"] == "True";
          if (r["name"] == "nb") nb = r;
        }
        return bert_ready && !nb.is_null() && nb["conditions"][0]["reason"] == "ObserveError";
      },
      seconds(30)))
      << run.Log();
  EXPECT_EQ(sim_.CountInstances("bert"), 1);
  EXPECT_EQ(nb["conditions"][0]["status"], "False");
  EXPECT_EQ(nb["conditions"][0]["message"],
            "cannot list provider tione: List on tione: provider \"tione\" is misconfigured: "
            "spec.secretId: environment variable E2E_UNSET_SECRET_ID is not set; set it or use "
            "fromFile; spec.secretKey: environment variable E2E_UNSET_SECRET_KEY is not set; set "
            "it or use fromFile");
  EXPECT_EQ(sim_.Stats()["tione"]["total_calls"], 0) << "an unusable provider makes no call";
  const std::string log = run.Log();
  EXPECT_THAT(log, HasSubstr(kMissingId));
  EXPECT_THAT(log, HasSubstr(kMissingKey));
}

TEST_F(MissingSecretTest, PlanShowsTheOtherProviderPrintsEveryMissingVariableAndExitsOne) {
  Process plan({ConvergeBinary(), "plan", dir_.path() + "/m"}, dir_.path() + "/plan.log", Env());
  const auto code = plan.Wait(seconds(30));
  ASSERT_TRUE(code.has_value()) << plan.Log();
  EXPECT_EQ(*code, 1);
  const std::string log = plan.Log();
  EXPECT_THAT(log, HasSubstr(std::string("converge plan: ") + kMissingId + "\n"));
  EXPECT_THAT(log, HasSubstr(std::string("converge plan: ") + kMissingKey + "\n"));
  EXPECT_THAT(log, HasSubstr("\n  + ContainerInstance/bert  [scnet] create: absent\n"));
  EXPECT_THAT(log, HasSubstr("\n  x TiOneNotebook/nb        [tione] error: cannot list provider: "
                             "List on tione: provider \"tione\" is misconfigured: spec.secretId: "
                             "environment variable E2E_UNSET_SECRET_ID is not set; set it or use "
                             "fromFile; spec.secretKey: environment variable E2E_UNSET_SECRET_KEY "
                             "is not set; set it or use fromFile\n"));
  // One error: the resource whose provider cannot be listed (the provider's own line
  // is the same failure, not counted twice; see ExitCodesTest).
  EXPECT_THAT(log, HasSubstr("Plan: 1 to create, 0 to change, 0 drifted, 0 in sync, 0 waiting, "
                             "1 error; 0 unmanaged.\n"));
  EXPECT_THAT(log, Not(HasSubstr(sim::kTestSecretKey)));
}

}  // namespace
}  // namespace converge::e2e

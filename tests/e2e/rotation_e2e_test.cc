// Issue 11 item 3: fromFile secrets are re-read when the file changes, under a
// running `converge run`, without a restart or SIGHUP; a file that becomes
// unreadable keeps the last good value and is reported. The layout is a
// Kubernetes Secret volume's (key -> ..data/key, ..data -> ..<timestamp>), the
// credentials TI-ONE temporary ones (SecretKey plus X-TC-Token), and the
// simulator rejects the old values once rotated (POST /_sim/credentials).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "base/net.h"
#include "e2e/harness.h"
#include "sim/simulator.h"

namespace converge::e2e {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kOldKey[] = "rotation-old-secret-key-1111";
constexpr char kOldToken[] = "rotation-old-session-token-1111";
constexpr char kNewKey[] = "rotation-new-secret-key-2222";
constexpr char kNewToken[] = "rotation-new-session-token-2222";

size_t Occurrences(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

class RotationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The simulator accepts the old key and token to begin with.
    ASSERT_EQ(Post(sim_.url(), "/_sim/credentials",
                   {{"tione", {{"secretKey", kOldKey}, {"sessionToken", kOldToken}}}})
                  .status,
              200);
    WriteVolume("..2026_11_23_21_00_00.000000001", kOldKey, kOldToken);
    fs::create_directory_symlink("..2026_11_23_21_00_00.000000001", dir_.Path("creds/..data"));
    for (const char* key : {"secretKey", "sessionToken"}) {
      fs::create_symlink(std::string("..data/") + key, dir_.Path(std::string("creds/") + key));
    }
    dir_.Write("m/providers.yaml",
               "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: tione}\n"
               "spec:\n  type: tione\n  endpoint: " +
                   sim_.url() +
                   "\n  region: ap-shanghai\n  secretId: {fromEnv: E2E_SECRET_ID}\n"
                   "  secretKey: {fromFile: " +
                   dir_.Path("creds/secretKey") +
                   "}\n  sessionToken: {fromFile: " + dir_.Path("creds/sessionToken") + "}\n");
    dir_.Write("m/nb.yaml",
               "apiVersion: converge.dev/v1alpha1\nkind: TiOneNotebook\n"
               "metadata: {name: nb}\nspec:\n  provider: tione\n  state: Running\n"
               "  chargeType: POSTPAID_BY_HOUR\n"
               "  resources: {instanceType: TI.S.MEDIUM.POST, cpu: 2000, memory: 4000, gpu: 0}\n"
               "  image: {type: SYSTEM, url: \"tione.tencentcloudcr.com/qcloud-ti-platform/x:1\"}\n"
               "  volumeSizeInGB: 10\n");
  }

  // What the kubelet does: the new version in a new timestamped directory.
  void WriteVolume(const std::string& version, const std::string& key, const std::string& token) {
    dir_.Write("creds/" + version + "/secretKey", key + "\n");
    dir_.Write("creds/" + version + "/sessionToken", token + "\n");
  }
  // ... then the ..data symlink swapped atomically and the old directory removed.
  void SwapVolume(const std::string& version, const std::string& old_version) {
    fs::create_directory_symlink(version, dir_.Path("creds/..data_tmp"));
    fs::rename(dir_.Path("creds/..data_tmp"), dir_.Path("creds/..data"));
    fs::remove_all(dir_.Path("creds/" + old_version));
  }

  nlohmann::json Provider() const {
    const auto status = Get("http://" + addr_, "/status").Json();
    if (!status.is_object() || !status.contains("providers")) return nullptr;
    for (const auto& p : status["providers"]) {
      if (p["name"] == "tione") return p;
    }
    return nullptr;
  }

  TempDir dir_{"converge-e2e-rotation"};
  SimProcess sim_{dir_};
  std::string addr_ = "127.0.0.1:" + std::to_string(net::FreePort("127.0.0.1"));
};

TEST_F(RotationTest, ASecretVolumeUpdateIsUsedWithoutARestartAndNeverShown) {
  Process run({ConvergeBinary(), "run", dir_.path() + "/m", "--metrics-addr", addr_, "--state-dir",
               dir_.path() + "/state", "--poll", "300ms", "--resync", "1s", "--log-level", "debug"},
              dir_.path() + "/run.log", SimEnv());
  // The old credentials work: the notebook is created and listed.
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto p = Provider();
        return p.is_object() && p["listed"] == true && p["error"] == "" &&
               sim_.CountInstances("nb") == 1;
      },
      seconds(30)))
      << run.Log();

  // The cloud rotates: the old key is refused from now on.
  ASSERT_EQ(Post(sim_.url(), "/_sim/credentials",
                 {{"tione", {{"secretKey", kNewKey}, {"sessionToken", kNewToken}}}})
                .status,
            200);
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto p = Provider();
        return p.is_object() && p["error"].get<std::string>().find(
                                    "AuthFailure.SignatureFailure") != std::string::npos;
      },
      seconds(30)))
      << run.Log();

  // The Secret volume is updated: the next calls sign with the new key and carry
  // the new token, and the simulator accepts them. No SIGHUP, no restart.
  WriteVolume("..2026_11_23_22_00_00.000000002", kNewKey, kNewToken);
  SwapVolume("..2026_11_23_22_00_00.000000002", "..2026_11_23_21_00_00.000000001");
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto p = Provider();
        return p.is_object() && p["error"] == "" && !p.contains("secretProblem");
      },
      seconds(30)))
      << run.Log();
  // From the first list that worked after the swap on, nothing is refused.
  const int64_t refused = sim_.Stats()["tione"]["rejected"]["auth"].get<int64_t>();
  const int64_t describes = sim_.Calls("tione", "DescribeNotebooks");
  ASSERT_TRUE(WaitFor([&] { return sim_.Calls("tione", "DescribeNotebooks") >= describes + 2; },
                      seconds(30)));
  EXPECT_EQ(sim_.Stats()["tione"]["rejected"]["auth"].get<int64_t>(), refused)
      << "no call with the old credentials after the swap was seen";
  EXPECT_EQ(sim_.CountInstances("nb"), 1);
  EXPECT_TRUE(run.Running());

  // A plan now reads the rotated files, works with them, and shows none of them.
  Process plan({ConvergeBinary(), "plan", dir_.path() + "/m"}, dir_.path() + "/plan.log", SimEnv());
  ASSERT_EQ(plan.Wait(seconds(30)), std::optional<int>(0)) << plan.Log();
  EXPECT_THAT(plan.Log(), HasSubstr("\n  = TiOneNotebook/nb  [tione] in sync: Running\n"))
      << plan.Log();
  for (const char* secret : {kOldKey, kOldToken, kNewKey, kNewToken}) {
    EXPECT_THAT(plan.Log(), Not(HasSubstr(secret)));
  }

  // The volume goes away: the provider keeps the values it read, reports it once
  // per secret, and goes on working.
  fs::remove(dir_.Path("creds/..data"));
  ASSERT_TRUE(WaitFor(
      [&] {
        const auto p = Provider();
        return p.is_object() && p.contains("secretProblem");
      },
      seconds(30)))
      << run.Log();
  const auto p = Provider();
  EXPECT_EQ(p["secretProblem"],
            "spec.secretKey: cannot read secret file " + dir_.Path("creds/secretKey") +
                "; the value read before is still used; check the path and its permissions; "
                "spec.sessionToken: cannot read secret file " +
                dir_.Path("creds/sessionToken") +
                "; the value read before is still used; check the path and its permissions");
  const int64_t before = sim_.Calls("tione", "DescribeNotebooks");
  ASSERT_TRUE(
      WaitFor([&] { return sim_.Calls("tione", "DescribeNotebooks") >= before + 2; }, seconds(30)));
  EXPECT_EQ(Provider()["error"], "");
  EXPECT_EQ(sim_.Stats()["tione"]["rejected"]["auth"].get<int64_t>(), refused);

  Process status_cmd({ConvergeBinary(), "status", "--addr", addr_}, dir_.path() + "/status.log");
  ASSERT_EQ(status_cmd.Wait(seconds(30)), std::optional<int>(0)) << status_cmd.Log();
  EXPECT_THAT(status_cmd.Log(),
              HasSubstr("\nprovider tione: spec.secretKey: cannot read secret file " +
                        dir_.Path("creds/secretKey") + "; the value read before"))
      << status_cmd.Log();
  const std::string status = Get("http://" + addr_, "/status").body;
  const std::string metrics = Get("http://" + addr_, "/metrics").body;
  run.Signal(SIGTERM);
  ASSERT_TRUE(run.Wait(seconds(15)).has_value());
  const std::string log = run.Log();
  EXPECT_EQ(Occurrences(log, "secret file changed; using its new value secret=spec.secretKey"), 1u)
      << log;
  EXPECT_EQ(Occurrences(log, "secret file changed; using its new value secret=spec.sessionToken"), 1u)
      << log;
  EXPECT_EQ(Occurrences(log, "secret file cannot be used; keeping the value read before"), 2u) << log;
  for (const char* secret : {kOldKey, kOldToken, kNewKey, kNewToken}) {
    EXPECT_THAT(log, Not(HasSubstr(secret)));
    EXPECT_THAT(status, Not(HasSubstr(secret)));
    EXPECT_THAT(metrics, Not(HasSubstr(secret)));
  }
}

// The plan command reads the same files and prints none of their values.
TEST_F(RotationTest, PlanReadsFileSecretsAndNeverShowsThem) {
  Process plan({ConvergeBinary(), "plan", dir_.path() + "/m"}, dir_.path() + "/plan.log", SimEnv());
  const auto code = plan.Wait(seconds(30));
  ASSERT_TRUE(code.has_value()) << plan.Log();
  const std::string log = plan.Log();
  EXPECT_EQ(*code, 0) << log;
  EXPECT_THAT(log, HasSubstr("\n  + TiOneNotebook/nb  [tione] create: absent\n")) << log;
  for (const char* secret : {kOldKey, kOldToken}) EXPECT_THAT(log, Not(HasSubstr(secret)));
}

}  // namespace
}  // namespace converge::e2e

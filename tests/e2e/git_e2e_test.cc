// `converge run --git` end to end: a real repository (a bare one over file://,
// and the same behind `git http-backend` on loopback), a real `converge run`
// and the simulator. Waits are bounded and polled.
#include <signal.h>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "base/net.h"
#include "e2e/harness.h"
#include "gitsource/git_test_repo.h"
#include "gitsource/webhook.h"

namespace converge::e2e {
namespace {

using gitsource::testing::HttpGitServer;
using gitsource::testing::TestRepo;
using std::chrono::seconds;
using ::testing::HasSubstr;

std::string Instance(const std::string& name) {
  return "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: " + name +
         "}\nspec:\n  provider: scnet\n  taskType: jupyter\n"
         "  image: {name: \"jupyter:4.4-py3.7-cpu\", path: "
         "\"10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu\"}\n"
         "  resourceGroup: TeslaM40\n  accelerator: {type: gpu, count: 1}\n  cpu: 3\n"
         "  memoryMB: 15360\n  restartPolicy: OnFailure\n";
}

class GitRun {
 public:
  GitRun(const TempDir& dir, const std::string& url, std::vector<std::string> extra) {
    addr_ = "127.0.0.1:" + std::to_string(net::FreePort("127.0.0.1"));
    std::vector<std::string> argv = {ConvergeBinary(), "run",
                                     "--git",          url,
                                     "--path",         "manifests",
                                     "--metrics-addr", addr_,
                                     "--state-dir",    dir.Path("state"),
                                     "--poll",         "300ms",
                                     "--resync",       "60s"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    process_ = std::make_unique<Process>(argv, dir.Path("run.log"), SimEnv());
  }
  nlohmann::json Status() const { return Get("http://" + addr_, "/status").Json(); }
  std::string Revision() const {
    const auto s = Status();
    return s.is_object() && s.contains("git") ? s["git"].value("revision", "") : "";
  }
  std::string Metrics() const { return Get("http://" + addr_, "/metrics").body; }
  const std::string& addr() const { return addr_; }
  Process& process() { return *process_; }

 private:
  std::string addr_;
  std::unique_ptr<Process> process_;
};

TEST(GitE2ETest, FollowsCommitsRejectsAnInvalidOneAndFollowsAForcePush) {
  TempDir dir("converge-git-e2e");
  SimProcess sim(dir);
  TestRepo repo(dir);
  repo.Commit("manifests/providers.yaml", ProvidersYaml(sim.url()));
  const std::string first = repo.Commit("manifests/a.yaml", Instance("git-a"));
  GitRun run(dir, repo.FileUrl(), {"--git-interval", "1s"});
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("git-a") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_EQ(run.Revision(), first);
  EXPECT_EQ(run.Status()["revision"], first);
  EXPECT_THAT(run.Metrics(),
              HasSubstr("converge_spec_revision_info{revision=\"" + first + "\"} 1"));
  EXPECT_THAT(run.process().Log(), HasSubstr(first.substr(0, 12)));

  // A new commit adding a manifest: created within an interval or so.
  const std::string second = repo.Commit("manifests/b.yaml", Instance("git-b"));
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("git-b") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_TRUE(WaitFor([&] { return run.Status()["revision"] == second; }, seconds(10)));

  // An invalid commit is reported and not applied.
  const std::string bad = repo.Commit("manifests/c.yaml", "kind: ContainerInstance\nspec: [\n");
  ASSERT_TRUE(WaitFor([&] { return run.Revision() == bad; }, seconds(30))) << run.process().Log();
  ASSERT_TRUE(
      WaitFor([&] { return !run.Status()["specError"].get<std::string>().empty(); }, seconds(10)));
  EXPECT_EQ(run.Status()["revision"], second);
  EXPECT_THAT(run.Metrics(), HasSubstr("converge_spec_valid 0"));

  // A force-push back to `second` is followed: the spec is valid again.
  EXPECT_EQ(repo.ForcePushBack(), second);
  ASSERT_TRUE(WaitFor([&] { return run.Revision() == second; }, seconds(30)))
      << run.process().Log();
  EXPECT_TRUE(WaitFor([&] { return run.Status()["specError"] == ""; }, seconds(10)));
  EXPECT_THAT(run.Metrics(), HasSubstr("converge_git_fetch_total{result=\"error\"} 0"));
  EXPECT_EQ(sim.CountInstances("git-a"), 1);
  EXPECT_EQ(sim.CountInstances("git-b"), 1);
}

TEST(GitE2ETest, AWebhookFetchesAtOnceAndABadSignatureIsRefusedAndCounted) {
  TempDir dir("converge-git-e2e");
  SimProcess sim(dir);
  TestRepo repo(dir);
  repo.Commit("manifests/providers.yaml", ProvidersYaml(sim.url()));
  repo.Commit("manifests/a.yaml", Instance("hook-a"));
  const std::string secret_file = dir.Write("webhook-secret", "push-secret-77\n");
  // The interval is an hour: only the webhook can bring the next commit in time.
  GitRun run(dir, repo.FileUrl(),
             {"--git-interval", "1h", "--git-webhook-secret-file", secret_file});
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("hook-a") == 1; }, seconds(30)))
      << run.process().Log();
  const std::string next = repo.Commit("manifests/b.yaml", Instance("hook-b"));
  const std::string body = R"({"ref":"refs/heads/main"})";
  const auto bad = test_support::Send(
      "http://" + run.addr(),
      {.method = "POST",
       .path = "/webhook/git",
       .headers = {{"X-Hub-Signature-256", gitsource::GithubSignature("guess", body)}},
       .body = body});
  EXPECT_EQ(bad.status, 401);
  EXPECT_THAT(run.Metrics(), HasSubstr("converge_git_webhook_total{result=\"refused\"} 1"));
  const auto good = test_support::Send(
      "http://" + run.addr(),
      {.method = "POST",
       .path = "/webhook/git",
       .headers = {{"X-Hub-Signature-256", gitsource::GithubSignature("push-secret-77", body)}},
       .body = body});
  EXPECT_EQ(good.status, 202);
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("hook-b") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_EQ(run.Revision(), next);
  EXPECT_THAT(run.Metrics(), HasSubstr("converge_git_webhook_total{result=\"accepted\"} 1"));
  EXPECT_EQ(run.process().Log().find("push-secret-77"), std::string::npos);

  // SIGHUP and `converge reconcile` (POST /reconcile) fetch at once too.
  const std::string hup = repo.Commit("manifests/c.yaml", Instance("hook-c"));
  run.process().Signal(SIGHUP);
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("hook-c") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_EQ(run.Revision(), hup);
  const std::string reconcile = repo.Commit("manifests/d.yaml", Instance("hook-d"));
  EXPECT_EQ(Post("http://" + run.addr(), "/reconcile", nlohmann::json::object()).status, 200);
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("hook-d") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_EQ(run.Revision(), reconcile);
  EXPECT_THAT(run.Metrics(), HasSubstr("converge_git_fetch_total{result=\"success\"} 4"));
}

TEST(GitE2ETest, SmartHttpWithATokenAndWrongCredentialsAreAClearError) {
  TempDir dir("converge-git-e2e");
  SimProcess sim(dir);
  TestRepo repo(dir);
  repo.Commit("manifests/providers.yaml", ProvidersYaml(sim.url()));
  repo.Commit("manifests/a.yaml", Instance("http-a"));
  HttpGitServer server(dir, dir.path(), "deployer", "right-token-123");
  {
    const std::string wrong = dir.Write("wrong-token", "wrong-token-456\n");
    TempDir state("converge-git-e2e-wrong");
    GitRun run(state, server.Url("origin.git"),
               {"--git-username", "deployer", "--git-token-file", wrong});
    const auto code = run.process().Wait(seconds(30));
    ASSERT_TRUE(code.has_value());
    EXPECT_EQ(*code, 1);
    const std::string log = run.process().Log();
    EXPECT_THAT(log, HasSubstr("converge run: fetching branch main of " + server.Url("origin.git") +
                               " failed: the server refused the credentials; check the "
                               "credentials"));
    EXPECT_EQ(log.find("wrong-token-456"), std::string::npos);
  }
  const std::string right = dir.Write("right-token", "right-token-123\n");
  GitRun run(dir, server.Url("origin.git"),
             {"--git-username", "deployer", "--git-token-file", right, "--git-interval", "1s"});
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("http-a") == 1; }, seconds(30)))
      << run.process().Log();
  repo.Commit("manifests/b.yaml", Instance("http-b"));
  ASSERT_TRUE(WaitFor([&] { return sim.CountInstances("http-b") == 1; }, seconds(30)))
      << run.process().Log();
  EXPECT_EQ(run.process().Log().find("right-token-123"), std::string::npos);
  EXPECT_EQ(Get("http://" + run.addr(), "/status").body.find("right-token-123"), std::string::npos);
}

// A manifest repository's CI: `converge plan` in a checkout names the full commit SHA.
TEST(GitE2ETest, PlanInACheckoutNamesTheFullCommitSha) {
  TempDir dir("converge-git-e2e");
  SimProcess sim(dir);
  TestRepo repo(dir);
  repo.Commit("manifests/providers.yaml", ProvidersYaml(sim.url()));
  const std::string sha = repo.Commit("manifests/a.yaml", Instance("plan-a"));
  const std::string checkout = dir.Path("ci");
  gitsource::testing::Sh("git clone -q '" + repo.bare() + "' '" + checkout + "'");
  int runs = 0;
  const auto plan = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {ConvergeBinary(), "plan", checkout + "/manifests"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    Process p(argv, dir.Path("plan" + std::to_string(++runs) + ".log"), SimEnv());
    EXPECT_EQ(p.Wait(seconds(30)), 0) << p.Log();
    return p.Log();
  };
  EXPECT_THAT(plan({}), HasSubstr(" (git commit " + sha + " on main)\n"));
  const nlohmann::json json = nlohmann::json::parse(plan({"-o", "json"}));
  EXPECT_EQ(json["git"], (nlohmann::json{{"commit", sha}, {"branch", "main"}, {"dirty", false}}));

  dir.Write("ci/manifests/b.yaml", Instance("plan-b"));  // not committed
  EXPECT_THAT(plan({}), HasSubstr(" (git commit " + sha + " on main, with uncommitted changes)\n"));
}

}  // namespace
}  // namespace converge::e2e

#include "serve/metrics.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace converge::serve {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

reconcile::ResourceStatus Res(const std::string& kind, const std::string& provider,
                              const std::string& sync, const std::string& ready) {
  reconcile::ResourceStatus r;
  r.kind = kind;
  r.provider = provider;
  r.name = "secret-resource-name";
  r.synced.status = sync;
  r.ready.status = ready;
  return r;
}

TEST(MetricsTest, ExportsTheDesignedFamilies) {
  Metrics m("1.2.3");
  const std::string text = m.Serialize();
  for (const char* name :
       {"converge_build_info{version=\"1.2.3\"} 1", "converge_workqueue_depth 0",
        "converge_spec_valid 1", "converge_spec_load_errors_total 0",
        "converge_reconcile_total{kind=\"ContainerInstance\",result=\"error\"} 0",
        "converge_drift_resources{kind=\"TiOneNotebook\"} 0",
        "converge_last_successful_sync_timestamp_seconds 0"}) {
    EXPECT_THAT(text, HasSubstr(name));
  }
}

TEST(MetricsTest, CountsRequestsActionsAndReconciles) {
  Metrics m("dev");
  m.OnRequest("scnet", "CreateContainerInstance", "0", 0.02);
  m.OnRequest("scnet", "CreateContainerInstance", "0", 0.03);
  m.OnRequest("tione", "DescribeNotebooks", "RequestLimitExceeded", 0.01);
  m.OnThrottled("tione", 0.5);
  m.OnAction("ContainerInstance", "create", true);
  m.OnReconcile("ContainerInstance", true, 0.2);
  m.OnReconcile("ContainerInstance", false, 0.2);
  m.OnSpecLoadError();
  const std::string text = m.Serialize();
  EXPECT_THAT(text, HasSubstr("converge_api_requests_total{code=\"0\",operation="
                              "\"CreateContainerInstance\",provider=\"scnet\"} 2"));
  EXPECT_THAT(text, HasSubstr("converge_api_requests_total{code=\"RequestLimitExceeded\",operation="
                              "\"DescribeNotebooks\",provider=\"tione\"} 1"));
  EXPECT_THAT(text, HasSubstr("converge_api_request_duration_seconds_count{operation="
                              "\"CreateContainerInstance\",provider=\"scnet\"} 2"));
  EXPECT_THAT(text, HasSubstr("converge_api_throttled_seconds_total{provider=\"tione\"} 0.5"));
  EXPECT_THAT(text, HasSubstr("converge_api_throttled_seconds_total{provider=\"scnet\"} 0"));
  EXPECT_THAT(text, HasSubstr("converge_actions_total{action=\"create\",kind=\"ContainerInstance\","
                              "result=\"success\"} 1"));
  EXPECT_THAT(
      text, HasSubstr("converge_reconcile_total{kind=\"ContainerInstance\",result=\"success\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("converge_reconcile_total{kind=\"ContainerInstance\",result=\"error\"} 1"));
  EXPECT_THAT(text,
              HasSubstr("converge_reconcile_duration_seconds_count{kind=\"ContainerInstance\"} 2"));
  EXPECT_THAT(text, HasSubstr("converge_spec_load_errors_total 1"));
}

TEST(MetricsTest, ExportsCredentialExpiryAndRefreshesByResult) {
  Metrics m("dev");
  m.OnCredentialsExpiry("scnet-static", 1700086400);
  m.OnCredentialsRefresh("scnet-ak", "obtained");
  m.OnCredentialsRefresh("scnet-ak", "renewed");
  m.OnCredentialsRefresh("scnet-ak", "renewed");
  m.OnCredentialsExpiry("scnet-ak", 1700000004.5);
  const std::string text = m.Serialize();
  EXPECT_THAT(text, HasSubstr("converge_credentials_expiry_timestamp_seconds{provider="
                              "\"scnet-static\"} 1700086400\n"));
  EXPECT_THAT(text, HasSubstr("converge_credentials_expiry_timestamp_seconds{provider="
                              "\"scnet-ak\"} 1700000004.5\n"));
  EXPECT_THAT(text, HasSubstr("converge_credentials_refresh_total{provider=\"scnet-ak\","
                              "result=\"obtained\"} 1\n"));
  EXPECT_THAT(text, HasSubstr("converge_credentials_refresh_total{provider=\"scnet-ak\","
                              "result=\"renewed\"} 2\n"));
  // Present at 0 from the first refresh, so increase() sees the first failure.
  EXPECT_THAT(text, HasSubstr("converge_credentials_refresh_total{provider=\"scnet-ak\","
                              "result=\"failed\"} 0\n"));
  // A static token is never refreshed.
  EXPECT_THAT(text, Not(HasSubstr("converge_credentials_refresh_total{provider=\"scnet-static\"")));
}

TEST(MetricsTest, SnapshotGaugesFollowStateAndDropToZero) {
  Metrics m("dev");
  reconcile::StatusSnapshot s;
  s.revision = "aaaaaaaaaaaa";
  s.last_successful_sync_ms = 1700000000500;
  s.resources = {Res("ContainerInstance", "scnet", "True", "True"),
                 Res("ContainerInstance", "scnet", "True", "True"),
                 Res("TiOneNotebook", "tione", "False", "False")};
  s.resources[2].drift = {{"resources.cpu", "2000", "4000"}};
  s.unmanaged = {{"scnet", "ContainerInstance", "legacy", "1", "Running"}};
  m.OnStatus(reconcile::Summarize(s));
  std::string text = m.Serialize();
  EXPECT_THAT(text, HasSubstr("converge_resources{kind=\"ContainerInstance\",provider=\"scnet\","
                              "ready=\"True\",sync=\"True\"} 2"));
  EXPECT_THAT(text, HasSubstr("converge_resources{kind=\"TiOneNotebook\",provider=\"tione\",ready="
                              "\"False\",sync=\"False\"} 1"));
  EXPECT_THAT(text, HasSubstr("converge_drift_resources{kind=\"TiOneNotebook\"} 1"));
  EXPECT_THAT(
      text,
      HasSubstr("converge_unmanaged_resources{kind=\"ContainerInstance\",provider=\"scnet\"} 1"));
  EXPECT_THAT(text, HasSubstr("converge_spec_revision_info{revision=\"aaaaaaaaaaaa\"} 1"));
  EXPECT_THAT(text, HasSubstr("converge_last_successful_sync_timestamp_seconds 1700000000.5"));
  EXPECT_THAT(text, Not(HasSubstr("secret-resource-name")));

  s.revision = "bbbbbbbbbbbb";
  s.spec_valid = false;
  s.resources = {Res("ContainerInstance", "scnet", "True", "True")};
  s.unmanaged.clear();
  m.OnStatus(reconcile::Summarize(s));
  text = m.Serialize();
  EXPECT_THAT(text, HasSubstr("converge_resources{kind=\"ContainerInstance\",provider=\"scnet\","
                              "ready=\"True\",sync=\"True\"} 1"));
  EXPECT_THAT(text, HasSubstr("converge_resources{kind=\"TiOneNotebook\",provider=\"tione\",ready="
                              "\"False\",sync=\"False\"} 0"));
  EXPECT_THAT(text, HasSubstr("converge_drift_resources{kind=\"TiOneNotebook\"} 0"));
  EXPECT_THAT(
      text,
      HasSubstr("converge_unmanaged_resources{kind=\"ContainerInstance\",provider=\"scnet\"} 0"));
  EXPECT_THAT(text, HasSubstr("converge_spec_revision_info{revision=\"bbbbbbbbbbbb\"} 1"));
  EXPECT_THAT(text, Not(HasSubstr("aaaaaaaaaaaa")));
  EXPECT_THAT(text, HasSubstr("converge_spec_valid 0"));
}

}  // namespace
}  // namespace converge::serve

namespace converge::serve {
namespace {

TEST(MetricsTest, GitFamiliesAppearWithGitAndCount) {
  Metrics m("1.2.3");
  EXPECT_THAT(m.Serialize(), ::testing::Not(::testing::HasSubstr("converge_git_")));
  m.EnableGit();
  std::string text = m.Serialize();
  for (const char* line : {"converge_git_fetch_total{result=\"success\"} 0",
                           "converge_git_fetch_total{result=\"error\"} 0",
                           "converge_git_last_success_timestamp_seconds 0",
                           "converge_git_webhook_total{result=\"refused\"} 0"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(line));
  }
  m.OnGitFetch(true, 1700000000);
  m.OnGitFetch(false, 1700000100);
  m.OnGitFetch(false, 1700000200);
  m.OnGitWebhook(false);
  m.OnGitWebhook(true);
  text = m.Serialize();
  for (const char* line : {"converge_git_fetch_total{result=\"success\"} 1",
                           "converge_git_fetch_total{result=\"error\"} 2",
                           "converge_git_last_success_timestamp_seconds 1700000000",
                           "converge_git_webhook_total{result=\"accepted\"} 1",
                           "converge_git_webhook_total{result=\"refused\"} 1"}) {
    EXPECT_THAT(text, ::testing::HasSubstr(line));
  }
}

}  // namespace
}  // namespace converge::serve

#include "cloud/scnet/scnet_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "cloud/http/scripted_transport.h"
#include "cloud/scnet/scnet_api.h"
#include "support/temp_dir.h"

namespace converge::cloud::scnet {
namespace {

using ::testing::ElementsAre;

std::string Instance(int id, const std::string& name) {
  return R"({"id":")" + std::to_string(id) + R"(","instanceServiceName":")" + name +
         R"(","status":"Running"})";
}

class ScnetProviderTest : public ::testing::Test {
 protected:
  ScnetProviderTest() : random_(0) {
    auto transport = std::make_unique<http::ScriptedTransport>();
    transport_ = transport.get();
    auto caller = std::make_unique<http::ApiCaller>("hefei", std::move(transport), 0, 1,
                                                    http::RetryPolicy{}, clock_, random_, nullptr);
    provider_ = std::make_unique<ScnetProvider>(
        "hefei", std::make_shared<StaticTokenSource>("hefei", Secret("tok-value"), nullptr), 2,
        std::move(caller));
  }

  std::vector<std::string> Targets() const {
    std::vector<std::string> out;
    for (const auto& r : transport_->requests()) out.push_back(r.method + " " + r.target);
    return out;
  }

  SimulatedClock clock_;
  PinnedRandom random_;
  http::ScriptedTransport* transport_;
  std::unique_ptr<ScnetProvider> provider_;
};

TEST_F(ScnetProviderTest, ListsContainerInstancesAcrossPages) {
  transport_->Answer(200, R"({"code":"0","data":{"total":5,"records":[)" + Instance(5, "e") + "," +
                              Instance(4, "d") + "]}}");
  transport_->Answer(200, R"({"code":"0","data":{"total":5,"list":[)" + Instance(3, "c") + "," +
                              Instance(2, "b") + "]}}");
  transport_->Answer(200,
                     R"({"code":"0","data":{"total":5,"records":[)" + Instance(1, "a") + "]}}");
  Result<std::vector<Observed>> all = provider_->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->size(), 5u);
  EXPECT_EQ((*all)[4].name, "a");
  EXPECT_THAT(Targets(),
              ElementsAre("GET /ai/openapi/v2/instance-service/task?start=0&limit=2&sort=desc",
                          "GET /ai/openapi/v2/instance-service/task?start=2&limit=2&sort=desc",
                          "GET /ai/openapi/v2/instance-service/task?start=4&limit=2&sort=desc"));
  for (const auto& r : transport_->requests()) {
    EXPECT_THAT(r.headers, ElementsAre(std::pair<std::string, std::string>("token", "tok-value")));
  }
}

// A token read from a file follows the file: the next request carries the new
// value, without rebuilding the provider.
TEST(ScnetProviderSecretTest, AFileTokenIsReadAgainWhenItChanges) {
  test_support::TempDir dir("scnet-provider-test");
  auto token = Secret::FromFile(dir.Write("token", "file-token-one\n"), "spec.token");
  ASSERT_TRUE(token) << token.error().message;
  SimulatedClock clock;
  PinnedRandom random(0);
  auto transport = std::make_unique<http::ScriptedTransport>();
  http::ScriptedTransport* wire = transport.get();
  auto caller = std::make_unique<http::ApiCaller>("hefei", std::move(transport), 0, 1,
                                                  http::RetryPolicy{}, clock, random, nullptr);
  ScnetProvider provider("hefei", std::make_shared<StaticTokenSource>("hefei", *token, nullptr), 50,
                         std::move(caller));
  const std::string empty_page = R"({"code":"0","data":{"total":0,"records":[]}})";
  wire->Answer(200, empty_page);
  ASSERT_TRUE(provider.List(ResourceKind::kContainerInstance));
  dir.Write("token", "file-token-two-rotated\n");
  wire->Answer(200, empty_page);
  ASSERT_TRUE(provider.List(ResourceKind::kContainerInstance));
  ASSERT_EQ(wire->requests().size(), 2u);
  using H = std::pair<std::string, std::string>;
  EXPECT_THAT(wire->requests()[0].headers, ElementsAre(H{"token", "file-token-one"}));
  EXPECT_THAT(wire->requests()[1].headers, ElementsAre(H{"token", "file-token-two-rotated"}));
  EXPECT_EQ(provider.SecretProblem(), "");
  std::filesystem::remove(dir.Path("token"));
  wire->Answer(200, empty_page);
  ASSERT_TRUE(provider.List(ResourceKind::kContainerInstance));
  EXPECT_THAT(wire->requests()[2].headers, ElementsAre(H{"token", "file-token-two-rotated"}));
  EXPECT_EQ(provider.SecretProblem(),
            "spec.token: cannot read secret file " + dir.Path("token") +
                "; the value read before is still used; check the path and its permissions");
}

TEST_F(ScnetProviderTest, ListByNameFiltersServerSideAndKeepsExactMatches) {
  transport_->Answer(200, R"({"code":"0","data":{"total":2,"records":[)" + Instance(9, "bert-2") +
                              "," + Instance(8, "bert") + "]}}");
  Result<std::vector<Observed>> found =
      provider_->ListByName(ResourceKind::kContainerInstance, "bert");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "8");
  EXPECT_THAT(Targets(), ElementsAre("GET /ai/openapi/v2/instance-service/task?"
                                     "instanceServiceName=bert&start=0&limit=2&sort=desc"));
}

TEST_F(ScnetProviderTest, ListsNotebooksByPageAndSize) {
  auto nb = [](int id) {
    return R"({"id":")" + std::to_string(id) + R"(","notebookName":"nb)" + std::to_string(id) +
           R"(","notebookStatus":"Running","sshPassword":"pw"})";
  };
  transport_->Answer(200,
                     R"({"code":"0","data":{"total":3,"records":[)" + nb(1) + "," + nb(2) + "]}}");
  transport_->Answer(200, R"({"code":"0","data":{"total":3,"records":[)" + nb(3) + "]}}");
  Result<std::vector<Observed>> all = provider_->List(ResourceKind::kNotebook);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 3u);
  EXPECT_THAT(Targets(), ElementsAre("GET /ai/openapi/v2/notebook/list?page=1&size=2",
                                     "GET /ai/openapi/v2/notebook/list?page=2&size=2"));
}

TEST_F(ScnetProviderTest, CreatePostsTheBodyAndReturnsTheId) {
  transport_->Answer(200, R"({"code":"0","msg":"success","data":"530491fa"})");
  ContainerInstanceCreate req;
  req.instance_service_name = "bert";
  Result<std::string> id = provider_->CreateContainerInstance(req);
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "530491fa");
  const auto sent = transport_->requests();
  ASSERT_EQ(sent.size(), 1u);
  EXPECT_EQ(sent[0].method, "POST");
  EXPECT_EQ(sent[0].target, "/ai/openapi/v2/instance-service/task");
  EXPECT_EQ(sent[0].content_type, "application/json");
  EXPECT_EQ(sent[0].body, CreateInstanceBody(req));
}

TEST_F(ScnetProviderTest, CreateAnswerWithoutIdHasUnknownOutcome) {
  transport_->Answer(200, R"({"code":"0","msg":"success","data":null})");
  Result<std::string> id = provider_->CreateContainerInstance({});
  ASSERT_FALSE(id);
  EXPECT_TRUE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().operation, "CreateContainerInstance");
  EXPECT_EQ(id.error().provider, "hefei");
}

TEST_F(ScnetProviderTest, MutatingCallsUseTheirPaths) {
  for (int i = 0; i < 2; ++i) transport_->Answer(200, R"({"code":"0","data":"1"})");
  transport_->Answer(200, R"({"code":"0","data":{"execSuccess":true}})");
  ASSERT_TRUE(provider_->RestartContainerInstance("77"));
  ASSERT_TRUE(provider_->StartNotebook(ResourceKind::kNotebook, "88"));
  ASSERT_TRUE(provider_->StartNotebookService("99", 1223, "run"));
  EXPECT_THAT(Targets(),
              ElementsAre("POST /ai/openapi/v2/instance-service/task/actions/restart?"
                          "instanceServiceId=77",
                          "POST /ac/openapi/v2/notebook/actions/start",
                          "POST /ai/openapi/v2/notebook/customize-service/actions/start"));
  EXPECT_EQ(transport_->requests()[1].body, R"({"notebookId":"88"})");
}

TEST_F(ScnetProviderTest, ExecSuccessFalseIsRejected) {
  transport_->Answer(200, R"({"code":"0","data":{"execSuccess":false,"errorMsg":"port closed"}})");
  Status s = provider_->StartNotebookService("99", 1223, "run");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, Error::Category::kRejected);
  EXPECT_EQ(s.error().ToString(), "StartNotebookService on hefei: port closed");
}

TEST_F(ScnetProviderTest, OtherKindsAreInvalid) {
  Result<std::vector<Observed>> list = provider_->List(ResourceKind::kTiOneNotebook);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().category, Error::Category::kInvalid);
  EXPECT_EQ(list.error().message,
            "SCNet provider \"hefei\" does not hold TiOneNotebook resources; point the resource at "
            "a provider of the right type");
  EXPECT_FALSE(provider_->CreateTiOneNotebook({}));
  EXPECT_FALSE(provider_->StopNotebook(ResourceKind::kNotebook, "1"));
  EXPECT_FALSE(provider_->StartNotebook(ResourceKind::kTiOneNotebook, "1"));
  EXPECT_TRUE(transport_->requests().empty());
}

TEST_F(ScnetProviderTest, StopsAndDeletesContainerInstancesOnFreshConnections) {
  transport_->Answer(200, R"({"code":"0","msg":"success","data":null})");
  transport_->Answer(200, R"({"code":"0","msg":"success","data":null})");
  ASSERT_TRUE(provider_->StopContainerInstance("ab c"));
  ASSERT_TRUE(provider_->DeleteContainerInstance("ab c"));
  EXPECT_THAT(Targets(),
              ElementsAre("POST /ai/openapi/v2/instance-service/task/actions/stop?ids=ab%20c",
                          "DELETE /ai/openapi/v2/instance-service/task?ids=ab%20c"));
  for (const auto& r : transport_->requests()) EXPECT_TRUE(r.fresh_connection);
}

TEST_F(ScnetProviderTest, AStopRefusalIsTheCloudsMessage) {
  transport_->Answer(200, R"({"code":"10004","msg":"invalid parameter ids: instance service 7 )"
                          R"(is Terminated","data":null})");
  Status stopped = provider_->StopContainerInstance("7");
  ASSERT_FALSE(stopped);
  EXPECT_EQ(stopped.error().operation, "StopContainerInstance");
  EXPECT_EQ(stopped.error().category, Error::Category::kInvalid);
  EXPECT_FALSE(stopped.error().outcome_unknown);
}

TEST_F(ScnetProviderTest, TiOneOnlyActionsAreInvalid) {
  EXPECT_EQ(provider_->DeleteNotebook(ResourceKind::kTiOneNotebook, "1").error().category,
            Error::Category::kInvalid);
  EXPECT_EQ(provider_->ModifyTiOneNotebook("1", {}).error().category, Error::Category::kInvalid);
  EXPECT_TRUE(transport_->requests().empty());
}

}  // namespace
}  // namespace converge::cloud::scnet

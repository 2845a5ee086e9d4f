#include "cloud/tione/tione_provider.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cloud/http/scripted_transport.h"

namespace converge::cloud::tione {
namespace {

std::string Set(int total, std::initializer_list<std::pair<const char*, const char*>> items) {
  std::string out = R"({"Response":{"RequestId":"r","TotalCount":)" + std::to_string(total) +
                    R"(,"NotebookSet":[)";
  bool first = true;
  for (const auto& [id, name] : items) {
    if (!first) out += ",";
    first = false;
    out += std::string(R"({"Id":")") + id + R"(","Name":")" + name + R"(","Status":"Running"})";
  }
  return out + "]}}";
}

std::string HeaderOf(const http::HttpRequest& r, const std::string& name) {
  for (const auto& [key, value] : r.headers) {
    if (key == name) return value;
  }
  return "";
}

class TiOneProviderTest : public ::testing::Test {
 protected:
  TiOneProviderTest() : random_(0) {
    auto transport = std::make_unique<http::ScriptedTransport>();
    transport_ = transport.get();
    // A 2 s base backoff moves the clock a whole second between attempts.
    auto caller = std::make_unique<http::ApiCaller>(
        "sh", std::move(transport), 0, 1,
        http::RetryPolicy{3, std::chrono::seconds(2), std::chrono::seconds(5)}, clock_, random_,
        nullptr);
    provider_ =
        std::make_unique<TiOneProvider>("sh", CredentialSources{"AKIDx", "skey", "ap-shanghai"},
                                        "127.0.0.1:9", "127.0.0.1", 2, std::move(caller));
  }

  SimulatedClock clock_;
  PinnedRandom random_;
  http::ScriptedTransport* transport_;
  std::unique_ptr<TiOneProvider> provider_;
};

TEST_F(TiOneProviderTest, DescribesAllPages) {
  transport_->Answer(200, Set(3, {{"nb-1", "a"}, {"nb-2", "b"}}));
  transport_->Answer(200, Set(3, {{"nb-3", "c"}}));
  Result<std::vector<Observed>> all = provider_->List(ResourceKind::kTiOneNotebook);
  ASSERT_TRUE(all) << all.error().ToString();
  ASSERT_EQ(all->size(), 3u);
  const auto sent = transport_->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[0].body, R"({"Offset":0,"Limit":2})");
  EXPECT_EQ(sent[1].body, R"({"Offset":2,"Limit":2})");
  EXPECT_EQ(HeaderOf(sent[0], "X-TC-Action"), "DescribeNotebooks");
  EXPECT_EQ(HeaderOf(sent[0], "X-TC-Timestamp"), "1700000000");
}

TEST_F(TiOneProviderTest, ListByNameFiltersAndKeepsExactMatches) {
  transport_->Answer(200, Set(2, {{"nb-1", "train-x"}, {"nb-2", "train"}}));
  Result<std::vector<Observed>> found =
      provider_->ListByName(ResourceKind::kTiOneNotebook, "train");
  ASSERT_TRUE(found);
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].id, "nb-2");
  EXPECT_EQ(transport_->requests()[0].body,
            R"({"Offset":0,"Limit":2,"Filters":[{"Name":"Name","Values":["train"]}]})");
}

TEST_F(TiOneProviderTest, RetriesAreSignedAfresh) {
  transport_->Answer(200, R"({"Response":{"Error":{"Code":"RequestLimitExceeded",)"
                          R"("Message":"slow"},"RequestId":"r1"}})");
  transport_->Answer(200, R"({"Response":{"RequestId":"r2"}})");
  ASSERT_TRUE(provider_->StartNotebook(ResourceKind::kTiOneNotebook, "nb-1"));
  const auto sent = transport_->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent[1].body, R"({"Id":"nb-1"})");
  EXPECT_EQ(HeaderOf(sent[0], "X-TC-Action"), "StartNotebook");
  EXPECT_EQ(HeaderOf(sent[0], "X-TC-Timestamp"), "1700000000");
  EXPECT_EQ(HeaderOf(sent[1], "X-TC-Timestamp"), "1700000001");
  EXPECT_NE(HeaderOf(sent[0], "Authorization"), HeaderOf(sent[1], "Authorization"));
}

TEST_F(TiOneProviderTest, ErrorsCarryRequestIdAndOperation) {
  transport_->Answer(200, R"({"Response":{"Error":{"Code":"ResourceNotFound",)"
                          R"("Message":"notebook nb-404 not found"},"RequestId":"r404"}})");
  Status s = provider_->StopNotebook(ResourceKind::kTiOneNotebook, "nb-404");
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().ToString(),
            "StopNotebook on sh: notebook nb-404 not found (code ResourceNotFound, HTTP 200, "
            "RequestId r404)");
}

TEST_F(TiOneProviderTest, CreateAndDescribeOne) {
  transport_->Answer(200, R"({"Response":{"Id":"nb-7","RequestId":"r"}})");
  transport_->Answer(200, R"({"Response":{"NotebookDetail":{"Id":"nb-7","Name":"x",)"
                          R"("Status":"Submitting"},"RequestId":"r"}})");
  Result<std::string> id = provider_->CreateTiOneNotebook({.name = "x"});
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "nb-7");
  Result<Observed> nb = provider_->DescribeNotebook("nb-7");
  ASSERT_TRUE(nb);
  EXPECT_EQ(nb->status, "Submitting");
  EXPECT_EQ(HeaderOf(transport_->requests()[0], "X-TC-Action"), "CreateNotebook");
  EXPECT_EQ(HeaderOf(transport_->requests()[1], "X-TC-Action"), "DescribeNotebook");
}

TEST_F(TiOneProviderTest, ModifyAndDeleteUseFreshConnections) {
  transport_->Answer(200, R"({"Response":{"RequestId":"r"}})");
  transport_->Answer(200, R"({"Response":{"RequestId":"r"}})");
  TiOneNotebookCreate req{
      .name = "x", .charge_type = "PREPAID", .instance_type = "TI.S", .cpu = 4000, .memory = 8000};
  req.volume_source_type = "CFS";
  req.vpc_id = "vpc-1";
  req.volume_size_gb = 50;
  ASSERT_TRUE(provider_->ModifyTiOneNotebook("nb-7", req));
  ASSERT_TRUE(provider_->DeleteNotebook(ResourceKind::kTiOneNotebook, "nb-7"));
  const auto& sent = transport_->requests();
  ASSERT_EQ(sent.size(), 2u);
  EXPECT_EQ(HeaderOf(sent[0], "X-TC-Action"), "ModifyNotebook");
  EXPECT_EQ(sent[0].body,
            R"({"Id":"nb-7","Name":"x","ResourceConf":{"Cpu":4000,"Memory":8000,"Gpu":0,)"
            R"("InstanceType":"TI.S"},"LogEnable":false,"RootAccess":true,"AutoStopping":false,)"
            R"("DirectInternetAccess":true,"VolumeSizeInGB":50})");
  EXPECT_EQ(HeaderOf(sent[1], "X-TC-Action"), "DeleteNotebook");
  EXPECT_EQ(sent[1].body, R"({"Id":"nb-7"})");
  EXPECT_TRUE(sent[0].fresh_connection);
  EXPECT_TRUE(sent[1].fresh_connection);
}

TEST_F(TiOneProviderTest, OtherKindsAreInvalid) {
  EXPECT_EQ(provider_->List(ResourceKind::kContainerInstance).error().category,
            Error::Category::kInvalid);
  EXPECT_FALSE(provider_->CreateContainerInstance({}));
  EXPECT_FALSE(provider_->RestartContainerInstance("1"));
  EXPECT_FALSE(provider_->StartNotebookService("1", 1, "x"));
  EXPECT_FALSE(provider_->StartNotebook(ResourceKind::kNotebook, "1"));
  EXPECT_FALSE(provider_->StopContainerInstance("1"));
  EXPECT_FALSE(provider_->DeleteContainerInstance("1"));
  EXPECT_FALSE(provider_->DeleteNotebook(ResourceKind::kNotebook, "1"));
  EXPECT_TRUE(transport_->requests().empty());
}

}  // namespace
}  // namespace converge::cloud::tione

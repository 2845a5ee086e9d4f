// TI-ONE requests and answers, checked against seed 002 and the TC3 signer.
#include "cloud/tione/tione_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cloud/tione/tc3_signer.h"

namespace converge::cloud::tione {
namespace {

using nlohmann::json;

// seeds/002: the DescribeNotebook example answer.
const char kSeed002Response[] = R"SEED({
"Response": {
"RequestId": "ecc8d2f6-9772-40df-856f-f6e48c6a7008",
"NotebookDetail": {
"ChargeType": "POSTPAID_BY_HOUR",
"AutomaticStopTime": 0,
"EndTime": "2024-11-14T17:22:16+08",
"ChargeStatus": "BILLING",
"Status": "Stopped",
"UpdateTime": "2024-11-14T17:17:51+08",
"DataSource": "CFS",
"Message": "test",
"VolumeSourceCFS": {
"Id": "cfs-9su5kqtv",
"Path": "/tione",
"Protocol": "NFS",
"MountType": "STORAGE"
},
"VolumeSourceType": "CFS",
"ImageInfo": {
"ImageType": "SYSTEM",
"ImageUrl": "tione.tencentcloudcr.com/qcloud-ti-platform/llm-train:24.03-gpu-py310-cu124-tilearn-llm-v1.8.0",
"ImageName": "tilearn-llm0.9-torch2.3-py3.10-cuda12.4-gpu",
"RegistryId": "",
"RegistryRegion": ""
},
"ImageType": "SYSTEM",
"DataConfigs": [
{
"MappingPath": "/home/tione/notebook",
"DataSourceType": "CFS",
"DataSourceUsage": "test",
"HDFSSource": {
"Id": "hd-sds",
"Path": "/date"
},
"CFSTurboSource": {
"Id": "cfs-14csdso5",
"Path": "/tione"
},
"CFSSource": {
"Id": "cfs-14cpoxo5",
"Protocol": "NFS",
"MountType": "STORAGE",
"Path": "/tione"
},
"COSSource": {
"Bucket": "harry-1318247806",
"Region": "ap-shanghai",
"Paths": [
"/test"
]
},
"GooseFSSource": {
"Id": "",
"Type": "",
"Path": "",
"NameSpace": ""
},
"LocalDiskSource": {
"InstanceId": ""
},
"CBSSource": {
"VolumeSizeInGB": 0
},
"DataSetSource": {
"Id": ""
}
}
],
"VpcId": "vpc-hb7u9q6e",
"Tags": [
{
"TagKey": "test-key",
"TagValue": "test-value"
}
],
"Id": "nb-1188508294472113920",
"ResourceGroupId": "trsg-dwpqnjmk",
"SubnetId": "subnet-58zkmdob",
"LifecycleScriptId": "ls-1007228485705742720",
"RootAccess": true,
"Name": "notebook-test",
"DefaultCodeRepoId": "cr-1000669213287070080",
"ResourceConf": {
"Gpu": 1,
"Cpu": 2018,
"GpuType": "V100",
"InstanceType": "TI.S.MEDIUM.POST",
"Memory": 4000
},
"AutoStopping": true,
"ResourceGroupName": "resource-test",
"LogEnable": true,
"BillingInfos": [
"info"
],
"InstanceTypeAlias": "2C4G",
"AdditionalCodeRepoIds": [
"cr-1000669213287070080"
],
"DirectInternetAccess": true,
"CreateTime": "2024-11-11T10:50:44+08",
"JobCreateTime": "2024-11-14T16:58:00+08",
"RuntimeInSeconds": 100,
"VolumeSizeInGB": 100,
"StartTime": "2024-11-14T19:50:10+08",
"PodName": "nb-1188501796310898048-912gqy8i0xvk",
"FailureReason": "no-msg",
"SubUin": "100032979603",
"LogConfig": {
"TopicId": "ea8048db-8f97-4abb-9668-f3532b9b61f8",
"LogsetId": "4dd0a097-f629-4afc-9b99-888ef99a178f"
}
}
}
})SEED";

json ResponseOf(const char* body) {
  http::Interpretation i = InterpretResponse({200, body});
  EXPECT_TRUE(i.value) << i.value.error().ToString();
  EXPECT_EQ(i.code, "0");
  return i.value ? *i.value : json();
}

TEST(TiOneParseTest, Seed002NotebookDetail) {
  Result<Observed> nb = ParseNotebookDetail(ResponseOf(kSeed002Response));
  ASSERT_TRUE(nb) << nb.error().message;
  EXPECT_EQ(nb->kind, ResourceKind::kTiOneNotebook);
  EXPECT_EQ(nb->id, "nb-1188508294472113920");
  EXPECT_EQ(nb->name, "notebook-test");
  EXPECT_EQ(nb->status, "Stopped");
  EXPECT_EQ(nb->message, "no-msg");
  EXPECT_EQ(nb->tags, (std::map<std::string, std::string>{{"test-key", "test-value"}}));
  const Attributes expected = {
      {"ChargeType", "POSTPAID_BY_HOUR"},
      {"ResourceConf.InstanceType", "TI.S.MEDIUM.POST"},
      {"ResourceConf.Cpu", "2018"},
      {"ResourceConf.Memory", "4000"},
      {"ResourceConf.Gpu", "1"},
      {"ImageInfo.ImageUrl",
       "tione.tencentcloudcr.com/qcloud-ti-platform/"
       "llm-train:24.03-gpu-py310-cu124-tilearn-llm-v1.8.0"},
      {"VolumeSizeInGB", "100"},
      {"VolumeSourceType", "CFS"}};
  EXPECT_EQ(nb->attributes, expected);
}

TEST(TiOneParseTest, NotebookSetPageWithNulls) {
  const json response = json::parse(R"({"TotalCount": 7, "RequestId": "r1", "NotebookSet": [
      {"Id": "nb-1", "Name": "a", "Status": "Running", "ChargeType": null,
       "ResourceConf": {"Cpu": 2000, "Memory": 4000, "Gpu": null, "InstanceType": null},
       "Tags": null, "FailureReason": null},
      {"Id": "nb-2", "Name": "b", "Status": "SubmitFailed", "Message": "quota"}]})");
  Result<http::ListPage> page = ParseNotebookSet(response);
  ASSERT_TRUE(page);
  EXPECT_EQ(page->total, 7);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].attributes,
            (Attributes{{"ResourceConf.Cpu", "2000"},
                                                {"ResourceConf.Memory", "4000"}}));
  EXPECT_EQ(page->items[1].message, "quota");
  EXPECT_FALSE(ParseNotebookSet(json::parse(R"({"TotalCount": 1})")));
  EXPECT_TRUE(ParseNotebookSet(json::parse(R"({"TotalCount": 0})")));
  EXPECT_FALSE(ParseNotebookSet(json::parse(R"({"NotebookSet": [{"Id": "nb-1"}]})")));
}

TEST(TiOneInterpretTest, ErrorEnvelopeWithRequestId) {
  http::Interpretation i =
      InterpretResponse({200, R"({"Response":{"Error":{"Code":"AuthFailure.SignatureFailure",)"
                              R"("Message":"The provided credentials could not be validated."},)"
                              R"("RequestId":"ecc8d2f6-9772"}})"});
  ASSERT_FALSE(i.value);
  EXPECT_EQ(i.code, "AuthFailure.SignatureFailure");
  const Error& e = i.value.error();
  EXPECT_EQ(e.category, Error::Category::kAuth);
  EXPECT_FALSE(e.retryable);
  EXPECT_EQ(e.request_id, "ecc8d2f6-9772");
  EXPECT_EQ(e.http_status, 200);
  EXPECT_EQ(e.message,
            "The provided credentials could not be validated.; check the provider's "
            "SecretId/SecretKey, its permissions and this host's clock");
}

TEST(TiOneInterpretTest, CodesMapToCategories) {
  struct Case {
    const char* code;
    Error::Category category;
    bool retryable;
  };
  for (const Case& c :
       {Case{"RequestLimitExceeded", Error::Category::kRateLimited, true},
        Case{"RequestLimitExceeded.UinLimitExceeded", Error::Category::kRateLimited, true},
        Case{"InternalError", Error::Category::kServer, true},
        Case{"AuthFailure.SignatureExpire", Error::Category::kAuth, false},
        Case{"UnauthorizedOperation.NoPermission", Error::Category::kAuth, false},
        Case{"InvalidParameterValue.Name", Error::Category::kInvalid, false},
        Case{"MissingParameter", Error::Category::kInvalid, false},
        Case{"ResourceNotFound", Error::Category::kNotFound, false},
        Case{"OperationDenied.BalanceInsufficient", Error::Category::kRejected, false},
        Case{"FailedOperation", Error::Category::kRejected, false}}) {
    const Error e = ErrorForCode(c.code, "m", 200, "rid");
    EXPECT_EQ(e.category, c.category) << c.code;
    EXPECT_EQ(e.retryable, c.retryable) << c.code;
  }
  http::Interpretation garbage = InterpretResponse({200, "<html>"});
  ASSERT_FALSE(garbage.value);
  EXPECT_EQ(garbage.value.error().category, Error::Category::kProtocol);
  http::Interpretation bad_gateway = InterpretResponse({502, "<html>"});
  EXPECT_EQ(bad_gateway.value.error().category, Error::Category::kServer);
  EXPECT_EQ(bad_gateway.code, "");
}

TEST(TiOneSigningTest, ServiceForHost) {
  EXPECT_EQ(ServiceForHost("tione.tencentcloudapi.com"), "tione");
  EXPECT_EQ(ServiceForHost("tione.ap-shanghai.tencentcloudapi.com"), "tione");
  EXPECT_EQ(ServiceForHost("cvm.tencentcloudapi.com"), "cvm");
  EXPECT_EQ(ServiceForHost("127.0.0.1"), "tione");
  EXPECT_EQ(ServiceForHost("localhost"), "tione");
  EXPECT_EQ(ServiceForHost("::1"), "tione");
}

TEST(TiOneSigningTest, SignedRequestCarriesTheCommonHeaders) {
  const Credentials creds{"AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE",
                          "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE", "ap-shanghai"};
  const std::string body = IdBody("nb-1");
  http::HttpRequest r =
      SignedRequest("DescribeNotebook", body, "127.0.0.1:8089", "127.0.0.1", creds, 1551113065);
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/");
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body, R"({"Id":"nb-1"})");
  Tc3Input in;
  in.secret_id = creds.secret_id;
  in.secret_key = creds.secret_key;
  in.host = "127.0.0.1:8089";
  in.service = "tione";
  in.action = "DescribeNotebook";
  in.content_type = "application/json";
  in.payload = body;
  in.timestamp = 1551113065;
  const std::string authorization = SignTc3(in).authorization;
  EXPECT_THAT(authorization, ::testing::StartsWith(
                                 "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/"
                                 "2019-02-25/tione/tc3_request, SignedHeaders=content-type;host, "
                                 "Signature="));
  using H = std::pair<std::string, std::string>;
  EXPECT_THAT(r.headers, ::testing::ElementsAre(
                             H{"X-TC-Action", "DescribeNotebook"}, H{"X-TC-Version", "2021-11-11"},
                             H{"X-TC-Timestamp", "1551113065"}, H{"X-TC-Region", "ap-shanghai"},
                             H{"Authorization", authorization}));
}

// Temporary credentials: the session token goes in X-TC-Token, outside the
// signature (SignedHeaders stays content-type;host).
TEST(TiOneSigningTest, ASessionTokenIsSentAsXTcTokenAndNotSigned) {
  Credentials creds{"AKIDtmp", "tmp-secret-key", "ap-shanghai"};
  const http::HttpRequest without =
      SignedRequest("DescribeNotebook", "{}", "127.0.0.1:8089", "127.0.0.1", creds, 1551113065);
  creds.session_token = "session-token-value";
  const http::HttpRequest with =
      SignedRequest("DescribeNotebook", "{}", "127.0.0.1:8089", "127.0.0.1", creds, 1551113065);
  using H = std::pair<std::string, std::string>;
  ASSERT_EQ(with.headers.size(), without.headers.size() + 1);
  EXPECT_EQ(with.headers.back(), (H{"X-TC-Token", "session-token-value"}));
  EXPECT_EQ(with.headers[4], without.headers[4]);  // the same Authorization
  EXPECT_EQ(with.headers[4].first, "Authorization");
}

TEST(TiOneBodiesTest, DescribeNotebooksWithNameFilter) {
  EXPECT_EQ(DescribeNotebooksBody(0, 20, ""), R"({"Offset":0,"Limit":20})");
  EXPECT_EQ(DescribeNotebooksBody(4, 2, "nb"),
            R"({"Offset":4,"Limit":2,"Filters":[{"Name":"Name","Values":["nb"]}]})");
}

TEST(TiOneBodiesTest, CreateNotebookHasEveryField) {
  TiOneNotebookCreate req;
  req.name = "notebook-test";
  req.charge_type = "POSTPAID_BY_HOUR";
  req.instance_type = "TI.S.MEDIUM.POST";
  req.cpu = 2000;
  req.memory = 4000;
  req.gpu = 1;
  req.gpu_type = "V100";
  req.image_type = "SYSTEM";
  req.image_url = "tione.tencentcloudcr.com/qcloud-ti-platform/llm-train:24.03";
  req.registry_region = "ap-shanghai";
  req.registry_id = "tcr-1";
  req.volume_source_type = "CLOUD_PREMIUM";
  req.volume_size_gb = 10;
  req.tags = {{"managed-by", "converge"}, {"team", "nlp"}};
  req.log_enable = true;
  req.root_access = false;
  req.auto_stopping = true;
  req.direct_internet_access = false;
  req.automatic_stop_time = 2;
  req.resource_group_id = "trsg-1";
  req.vpc_id = "vpc-1";
  req.subnet_id = "subnet-1";
  EXPECT_EQ(
      CreateNotebookBody(req),
      R"({"Name":"notebook-test","ChargeType":"POSTPAID_BY_HOUR","ResourceConf":{"Cpu":2000,)"
      R"("Memory":4000,"Gpu":1,"GpuType":"V100","InstanceType":"TI.S.MEDIUM.POST"},)"
      R"("LogEnable":true,"RootAccess":false,"AutoStopping":true,"DirectInternetAccess":false,)"
      R"("ResourceGroupId":"trsg-1","VpcId":"vpc-1","SubnetId":"subnet-1",)"
      R"("VolumeSourceType":"CLOUD_PREMIUM","VolumeSizeInGB":10,"AutomaticStopTime":2,)"
      R"("Tags":[{"TagKey":"managed-by","TagValue":"converge"},{"TagKey":"team","TagValue":"nlp"}],)"
      R"("ImageInfo":{"ImageType":"SYSTEM",)"
      R"("ImageUrl":"tione.tencentcloudcr.com/qcloud-ti-platform/llm-train:24.03",)"
      R"("RegistryRegion":"ap-shanghai","RegistryId":"tcr-1"},"ImageType":"SYSTEM"})");
  EXPECT_EQ(CreateNotebookBody(TiOneNotebookCreate{}),
            R"({"Name":"","ChargeType":"","ResourceConf":{"Cpu":0,"Memory":0,"Gpu":0},)"
            R"("LogEnable":false,"RootAccess":true,"AutoStopping":false,)"
            R"("DirectInternetAccess":true})");
  Result<std::string> id = ParseCreatedId(json::parse(R"({"Id":"nb-9","RequestId":"r"})"));
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "nb-9");
  EXPECT_FALSE(ParseCreatedId(json::parse(R"({"RequestId":"r"})")));
}

}  // namespace
}  // namespace converge::cloud::tione

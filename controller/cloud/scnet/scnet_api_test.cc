// SCNet answers and requests, checked against the seeds' own examples.
#include "cloud/scnet/scnet_api.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

namespace converge::cloud::scnet {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

// seeds/000: the notebook list example (data is one notebook object).
const char kSeed000Response[] = R"({
"code": "0",
"msg": "success",
"data": {
"id": "1896050410550136833",
"notebookName": "2503021210191107",
"notebookStatus": "Terminated",
"imageName": "jupyterlab-simplesdxl-webui:pytorch2.1.0-py3.10-dtk24.04-model",
"imagePath": "image.ac.com:5000/dcu/admin/base/jupyterlab-simplesdxl-webui:pytorch2.1.0-py3.10-dtk24.04-model",
"cpuNumber": "24核心",
"acceleratorType": "dcu",
"acceleratorNumber": 1,
"resourceGroupCode": "hgk100_ainormal93b0dc03",
"acceleratorMode": "异构加速卡AI",
"ramSize": "110GB",
"imageSize": "43726906378",
"createTime": "2025-03-02 12:10:20",
"releaseTime": "28天20小时17分钟",
"updateTime": "2025-03-02 12:10:51",
"progress": null,
"startType": "normal",
"maxTimeout": null,
"sshPassword": "9pM28jD7606121T",
"serviceIp": "10.68.206.205",
"serviceUrl": null,
"sshUrl": null,
"taskId": "1896050410558525441",
"enoughResource": true,
"containerId": null,
"resourceGroupId": "15",
"containerType": null,
"node": "10.13.1.15",
"message": null,
"errorMessage": null,
"maxNumber": 8,
"freeNumber": 5,
"command": "python /root/SimpleSDXL/entry_with_update.py --listen 0.0.0.0 --port 1223 > /root/sd.log 2>&1",
"customizePort": "1223"
}
})";

// seeds/001: the customize-service start example, with the closing brace the
// seed's example lacks.
const char kSeed001Response[] = R"({
    "code": "0",
    "msg": "success",
    "data": {
        "execSuccess": false,
        "errorMsg": "根据您提供的端口,未检测到可用的服务。若您的服务为特定的API接口,系统将自动建立通路,对应的外部地址为:https://c-1896476639463936002.ksai.scnet.cn:58043",
        "output": null
  	}
})";

// seeds/003: the create answer.
const char kSeed003Response[] = R"({
"code":"0",
"msg":"success",
"data":"530491fa7c8e47348f01de73e627a6a7"
})";

const char kCommand[] =
    "python /root/SimpleSDXL/entry_with_update.py --listen 0.0.0.0 --port 1223 > /root/sd.log 2>&1";

json DataOf(const char* body) {
  http::Interpretation i = InterpretResponse({200, body});
  EXPECT_TRUE(i.value) << i.value.error().ToString();
  EXPECT_EQ(i.code, "0");
  return i.value ? *i.value : json();
}

TEST(ScnetNotebookListTest, Seed000ObjectDataIsOneRecord) {
  Result<http::ListPage> page = ParseNotebookPage(DataOf(kSeed000Response));
  ASSERT_TRUE(page) << page.error().message;
  EXPECT_TRUE(page->last);
  ASSERT_EQ(page->items.size(), 1u);
  const Observed& nb = page->items[0];
  EXPECT_EQ(nb.kind, ResourceKind::kNotebook);
  EXPECT_EQ(nb.id, "1896050410550136833");
  EXPECT_EQ(nb.name, "2503021210191107");
  EXPECT_EQ(nb.status, "Terminated");
  EXPECT_EQ(nb.message, "");
  EXPECT_EQ(nb.service_command, kCommand);
  EXPECT_EQ(nb.service_port, 1223);
  EXPECT_EQ(nb.attributes.at("imagePath"),
            "image.ac.com:5000/dcu/admin/base/"
            "jupyterlab-simplesdxl-webui:pytorch2.1.0-py3.10-dtk24.04-model");
  EXPECT_EQ(nb.attributes.at("cpuNumber"), "24核心");
  EXPECT_EQ(nb.attributes.at("ramSize"), "110GB");
  EXPECT_EQ(nb.attributes.at("acceleratorNumber"), "1");
  EXPECT_EQ(nb.attributes.at("acceleratorType"), "dcu");
  EXPECT_EQ(nb.attributes.count("sshPassword"), 0u);
  for (const auto& [key, value] : nb.attributes) {
    EXPECT_THAT(value, Not(HasSubstr("9pM28jD7606121T"))) << key;
  }
}

TEST(ScnetNotebookListTest, RecordsPageWithTheTableSpellings) {
  const json data = json::parse(R"({"total": 3, "records": [
      {"id": "1", "notebookName": "a", "notebookStatus": "Running",
       "iamgePath": "img/a", "customsizePort": 8080, "command": "run a",
       "sshPassword": "secret-pw"},
      {"id": "2", "notebookName": "b", "notebookStatus": "Failed", "errorMessage": "no card",
       "customizePort": null}]})");
  Result<http::ListPage> page = ParseNotebookPage(data);
  ASSERT_TRUE(page);
  EXPECT_FALSE(page->last);
  EXPECT_EQ(page->total, 3);
  ASSERT_EQ(page->items.size(), 2u);
  EXPECT_EQ(page->items[0].attributes.at("imagePath"), "img/a");
  EXPECT_EQ(page->items[0].service_port, 8080);
  EXPECT_EQ(page->items[0].service_command, "run a");
  EXPECT_EQ(page->items[1].message, "no card");
  EXPECT_EQ(page->items[1].service_port, std::nullopt);
}

TEST(ScnetNotebookListTest, NullDataIsEmptyAndGarbageIsProtocolError) {
  Result<http::ListPage> empty = ParseNotebookPage(json(nullptr));
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->items.empty());
  Result<http::ListPage> bad = ParseNotebookPage(json::parse(R"({"foo": 1})"));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().category, Error::Category::kProtocol);
  Result<http::ListPage> nameless = ParseNotebookPage(json::parse(R"({"records": [{"id": "1"}]})"));
  ASSERT_FALSE(nameless);
  EXPECT_EQ(nameless.error().category, Error::Category::kProtocol);
}

TEST(ScnetInstanceListTest, AcceptsRecordsOrList) {
  for (const char* key : {"records", "list"}) {
    json data = {{"total", "9"},
                 {key, json::array({{{"id", 17},
                                     {"instanceServiceName", "bert"},
                                     {"status", "Running"},
                                     {"description", "managed-by: converge"},
                                     {"createTime", "2025-03-02 12:10:20"},
                                     {"cpuNumber", 3},
                                     {"ramSize", 15360},
                                     {"gpuNumber", 1.0},
                                     {"imagePath", "10.0.35.26:5000/gpu/admin/base/jupyter"},
                                     {"version", "jupyter:4.4-py3.7-cpu"},
                                     {"taskType", "jupyter"},
                                     {"acceleratorType", "gpu"},
                                     {"resourceGroup", "TeslaM40"},
                                     {"taskNumber", 1},
                                     {"timeoutLimit", "01:00:00"},
                                     {"startTime", nullptr}}})}};
    Result<http::ListPage> page = ParseInstancePage(data);
    ASSERT_TRUE(page) << key;
    EXPECT_EQ(page->total, 9);
    ASSERT_EQ(page->items.size(), 1u);
    const Observed& o = page->items[0];
    EXPECT_EQ(o.kind, ResourceKind::kContainerInstance);
    EXPECT_EQ(o.id, "17");
    EXPECT_EQ(o.name, "bert");
    EXPECT_EQ(o.status, "Running");
    EXPECT_EQ(o.description, "managed-by: converge");
    const Attributes expected = {
        {"cpuNumber", "3"},
        {"ramSize", "15360"},
        {"gpuNumber", "1"},
        {"imagePath", "10.0.35.26:5000/gpu/admin/base/jupyter"},
        {"version", "jupyter:4.4-py3.7-cpu"},
        {"taskType", "jupyter"},
        {"acceleratorType", "gpu"},
        {"resourceGroup", "TeslaM40"},
        {"taskNumber", "1"},
        {"timeoutLimit", "01:00:00"}};
    EXPECT_EQ(o.attributes, expected);
  }
  Result<http::ListPage> neither = ParseInstancePage(json::parse(R"({"total": 0, "rows": []})"));
  ASSERT_FALSE(neither);
  EXPECT_EQ(neither.error().message,
            "SCNet container-instance list data has neither records[] nor list[]");
}

// The list sweeps read pages in one pass without a JSON tree
// (InterpretInstancePage / InterpretNotebookPage). For every answer they must
// give exactly what the tree route gives: InterpretResponse, then the page
// parser on its data: the same verdict, metric code and error, the same items.
void ExpectSameAsTreeRoute(const std::string& body, int status) {
  using Reader = http::Interpretation (*)(const http::HttpResponse&, Result<http::ListPage>*);
  using PageParser = Result<http::ListPage> (*)(const json&);
  const std::pair<Reader, PageParser> routes[] = {{InterpretInstancePage, ParseInstancePage},
                                                  {InterpretNotebookPage, ParseNotebookPage}};
  for (const auto& [read, parse] : routes) {
    SCOPED_TRACE(testing::Message() << "HTTP " << status << " " << body);
    const http::Interpretation tree = InterpretResponse({status, body});
    Result<http::ListPage> page = std::unexpected(Error{});
    const http::Interpretation flat = read({status, body}, &page);
    EXPECT_EQ(flat.code, tree.code);
    ASSERT_EQ(flat.value.has_value(), tree.value.has_value());
    if (!tree.value) {
      EXPECT_EQ(flat.value.error().ToString(), tree.value.error().ToString());
      EXPECT_EQ(flat.value.error().category, tree.value.error().category);
      EXPECT_EQ(flat.value.error().retryable, tree.value.error().retryable);
      EXPECT_EQ(flat.value.error().http_status, tree.value.error().http_status);
      continue;
    }
    const Result<http::ListPage> expected = parse(*tree.value);
    ASSERT_EQ(page.has_value(), expected.has_value());
    if (expected) {
      EXPECT_TRUE(*page == *expected);
    } else {
      EXPECT_EQ(page.error().message, expected.error().message);
      EXPECT_EQ(page.error().category, expected.error().category);
    }
  }
}

TEST(ScnetListReadTest, OnePassReadGivesWhatTheTreeRouteGives) {
  const std::string item =
      R"({"id": 17, "instanceServiceName": "bert", "status": "Running", "description": "d",)"
      R"("createTime": "2025-03-02", "cpuNumber": 3, "ramSize": "15360", "gpuNumber": 1.0,)"
      R"("imagePath": "r/j:1", "version": "j:1", "taskType": "jupyter", "acceleratorType": "gpu",)"
      R"("resourceGroup": "TeslaM40", "taskNumber": 1, "timeoutLimit": null, "startTime": null,)"
      R"("mountInfoList": [{"sourcePath": "/a"}], "extra": {"nested": {"id": "x"}},)"
      R"("sshPassword": "secret-pw", "errorMessage": "", "message": "quota \"gpu\" \u00e9"})";
  const std::string notebook =
      R"({"id": "1", "notebookName": "a", "notebookStatus": "Running", "iamgePath": "img/a",)"
      R"("customsizePort": 8080.0, "command": "run a", "acceleratorNumber": 1, "imagePath": null})";
  const std::vector<std::string> bodies = {
      kSeed000Response,
      kSeed001Response,
      kSeed003Response,
      R"({"code": "0", "msg": "success", "data": {"total": 1, "records": [)" + item + "]}}",
      R"({"code": 0, "data": {"total": "2", "list": [)" + item + "," + notebook + "]}}",
      R"({"code": "0", "data": {"records": null, "list": [)" + item + "]}}",
      R"({"code": "0", "data": {"records": 5, "list": [)" + item + "]}}",
      R"({"code": "0", "data": {"list": [)" + item + R"(], "records": {"a": 1}}})",
      R"({"code": "0", "data": {"total": 3.0, "records": [)" + notebook + "]}}",
      R"({"code": "0", "data": {"total": 1e20, "records": []}})",
      R"({"code": "0", "data": {"total": 7}})",
      R"({"code": "0", "data": )" + notebook + "}",
      R"({"code": "0", "data": [)" + item + "," + notebook + "]}",
      R"({"code": "0", "data": [1, "x", [], null, {}]})",
      R"({"code": "0", "data": null})",
      R"({"code": "0"})",
      R"({"code": "0", "data": "x"})",
      R"({"code": "0", "data": {"records": [{"id": "1"}]}})",
      R"({"code": "0", "data": {"records": [{"id": "1", "id": null, "notebookName": "n"}]}})",
      R"({"code": "0", "data": {"records": [{"id": null, "id": 2, "instanceServiceName": "n"}]}})",
      R"({"code": "0", "data": {"records": [{"id": "1", "instanceServiceName": "n",)"
      R"("cpuNumber": {"v": 1}, "ramSize": 1.5, "gpuNumber": 18446744073709551615,)"
      R"("taskNumber": -3, "version": true, "errorMsg": "gone"}]}})",
      R"({"code": "0", "data": {"records": []}, "data": {"list": [)" + item + "]}}",
      R"({"code": "0", "data": [)" + item + R"(], "data": null})",
      R"({"code": "0", "code": "10009", "msg": "no"})",
      R"({"code": "10009", "msg": "没有权限访问接口"})",
      R"({"code": "10001", "msg": "boom", "data": {"records": []}})",
      R"({"code": {"x": 1}, "data": null})",
      R"({"code": null, "data": null})",
      R"({"msg": "no code"})",
      R"([{"code": "0"}])",
      R"("code")",
      R"({"code":"0","data":{)",
      "<html>bad gateway</html>",
      "",
  };
  for (const std::string& body : bodies) {
    for (int status : {200, 429, 500}) ExpectSameAsTreeRoute(body, status);
  }
}

TEST(ScnetListReadTest, OnePassReadKeepsOnlyWhatItemsAreReadFor) {
  Result<http::ListPage> page = std::unexpected(Error{});
  const http::Interpretation i = InterpretNotebookPage(
      {200,
       R"({"code":"0","data":{"total":1,"records":[{"id":"1","notebookName":"a",)"
       R"("notebookStatus":"Running","sshPassword":"9pM28jD7606121T","customizePort":"1223"}]}})"},
      &page);
  ASSERT_TRUE(i.value);
  EXPECT_EQ(i.code, "0");
  ASSERT_TRUE(page) << page.error().message;
  ASSERT_EQ(page->items.size(), 1u);
  EXPECT_EQ(page->total, 1);
  EXPECT_EQ(page->items[0].service_port, 1223);
  EXPECT_EQ(page->items[0].attributes.count("sshPassword"), 0u);
  for (const auto& [key, value] : page->items[0].attributes) {
    EXPECT_THAT(value, Not(HasSubstr("9pM28jD7606121T"))) << key;
  }
}

TEST(ScnetCreateTest, BodyIsSeed003FieldForField) {
  ContainerInstanceCreate req;
  req.instance_service_name = "Instances_2205113838";
  req.description = "";
  req.task_type = "ssh";
  req.accelerator_type = "gpu";
  req.version = "jupyter:4.4-py3.7-cpu";
  req.image_path = "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu";
  req.timeout_limit = "unlimited";
  req.task_number = 1;
  req.resource_group = "TeslaM40";
  req.use_start_script = false;
  req.start_script_action_scope = "all";
  req.start_script_content = "";
  req.cpu_number = 3;
  req.ram_size = 15360;
  req.gpu_number = 1;
  req.mounts = {{"/public1/home/lizb0530d/test_mount", "/mnt/test_mount", "data"}};
  req.ports = {{18888, "HTTP"}};
  EXPECT_EQ(
      CreateInstanceBody(req),
      R"({"instanceServiceName":"Instances_2205113838","description":"","taskType":"ssh",)"
      R"("acceleratorType":"gpu","version":"jupyter:4.4-py3.7-cpu",)"
      R"("imagePath":"10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu",)"
      R"("timeoutLimit":"unlimited","taskNumber":1,"resourceGroup":"TeslaM40",)"
      R"("useStartScript":false,"startScriptActionScope":"all","startScriptContent":"",)"
      R"("cpuNumber":3,"ramSize":15360,"gpuNumber":1,"mountInfoList":[{"sourcePath":)"
      R"("/public1/home/lizb0530d/test_mount","targetPath":"/mnt/test_mount","type":"data"}],)"
      R"("containerPortInfoList":[{"protocolType":"HTTP","containerPort":18888}]})");
}

TEST(ScnetCreateTest, Seed003AnswerCarriesTheId) {
  Result<std::string> id = ParseCreatedId(DataOf(kSeed003Response));
  ASSERT_TRUE(id);
  EXPECT_EQ(*id, "530491fa7c8e47348f01de73e627a6a7");
  EXPECT_EQ(ParseCreatedId(json(nullptr)).error().category, Error::Category::kProtocol);
}

TEST(ScnetServiceTest, Seed001ExecSuccessFalseIsRejectedWithTheCloudsText) {
  Status s = ParseServiceStart(DataOf(kSeed001Response));
  ASSERT_FALSE(s);
  EXPECT_EQ(s.error().category, Error::Category::kRejected);
  EXPECT_FALSE(s.error().retryable);
  EXPECT_EQ(s.error().message,
            "根据您提供的端口,未检测到可用的服务。若您的服务为特定的API接口,系统将自动建立通路,"
            "对应的外部地址为:https://c-1896476639463936002.ksai.scnet.cn:58043");
  EXPECT_TRUE(ParseServiceStart(json::parse(R"({"execSuccess": true, "output": "ok"})")));
  EXPECT_EQ(ParseServiceStart(json(nullptr)).error().category, Error::Category::kProtocol);
}

TEST(ScnetServiceTest, BodiesUseTheTableSpelling) {
  EXPECT_EQ(StartServiceBody("1896050410550136833", 1223, kCommand),
            std::string(R"({"id":"1896050410550136833","command":")") +
                R"(python /root/SimpleSDXL/entry_with_update.py --listen 0.0.0.0 --port 1223 )"
                R"(> /root/sd.log 2>&1","customizePort":"1223"})");
  EXPECT_EQ(StartNotebookBody("42"), R"({"notebookId":"42"})");
}

TEST(ScnetInterpretTest, CodesMapToCategories) {
  struct Case {
    const char* code;
    Error::Category category;
    bool retryable;
  };
  for (const Case& c :
       {Case{"10001", Error::Category::kServer, true},
        Case{"10012", Error::Category::kServer, true},
        Case{"716020", Error::Category::kServer, true},
        Case{"10003", Error::Category::kInvalid, false},
        Case{"10004", Error::Category::kInvalid, false},
        Case{"10007", Error::Category::kAuth, false}, Case{"10009", Error::Category::kAuth, false},
        Case{"716865", Error::Category::kRejected, false}}) {
    const std::string body = std::string(R"({"code":")") + c.code + R"(","msg":"m","data":null})";
    http::Interpretation i = InterpretResponse({200, body});
    ASSERT_FALSE(i.value) << c.code;
    EXPECT_EQ(i.code, c.code);
    EXPECT_EQ(i.value.error().code, c.code);
    EXPECT_EQ(i.value.error().category, c.category) << c.code;
    EXPECT_EQ(i.value.error().retryable, c.retryable) << c.code;
    EXPECT_EQ(i.value.error().http_status, 200);
  }
  EXPECT_EQ(InterpretResponse({200, R"({"code":"10009","msg":"没有权限访问接口"})"})
                .value.error()
                .message,
            "没有权限访问接口; check the provider's SCNet token (it may have expired) and its "
            "permissions");
}

TEST(ScnetInterpretTest, NumericCodeAndHttpFailures) {
  EXPECT_TRUE(InterpretResponse({200, R"({"code":0,"data":"x"})"}).value);
  http::Interpretation truncated = InterpretResponse({200, R"({"code":"0","data":{)"});
  ASSERT_FALSE(truncated.value);
  EXPECT_EQ(truncated.value.error().category, Error::Category::kProtocol);
  EXPECT_EQ(truncated.value.error().message,
            "SCNet answered HTTP 200 without a JSON {code, msg, data} envelope");
  http::Interpretation limited = InterpretResponse({429, "slow down"});
  ASSERT_FALSE(limited.value);
  EXPECT_EQ(limited.code, "");
  EXPECT_EQ(limited.value.error().category, Error::Category::kRateLimited);
  EXPECT_TRUE(limited.value.error().retryable);
  EXPECT_EQ(limited.value.error().http_status, 429);
  http::Interpretation denied = InterpretResponse({401, ""});
  EXPECT_EQ(denied.value.error().category, Error::Category::kAuth);
  http::Interpretation coded500 = InterpretResponse({500, R"({"code":"10001","msg":"boom"})"});
  EXPECT_EQ(coded500.value.error().code, "10001");
  EXPECT_EQ(coded500.value.error().http_status, 500);
}

}  // namespace
}  // namespace converge::cloud::scnet

#include "cloud/scnet/scnet_api.h"

#include "cloud/http/json_fields.h"

namespace converge::cloud::scnet {
namespace {

using http::Field;
using http::FirstField;
using http::ProtocolError;
using http::ScalarText;
using http::TextOr;
using nlohmann::json;

void PutAttribute(Observed& out, const json& item, std::string_view key,
                  std::initializer_list<std::string_view> spellings) {
  if (std::optional<std::string> text = ScalarText(FirstField(item, spellings))) {
    out.attributes.emplace(std::string(key), *text);
  }
}

std::string FailureText(const json& item) {
  for (std::string_view key : {"errorMessage", "message", "errorMsg"}) {
    std::string text = TextOr(item, key);
    if (!text.empty()) return text;
  }
  return "";
}

Result<http::ListPage> CheckItems(http::ListPage page, std::string_view what) {
  for (const Observed& o : page.items) {
    if (o.id.empty() || o.name.empty()) {
      return std::unexpected(
          ProtocolError(std::string(what) +
                        " list holds an item without an id or a name; the answer cannot "
                        "be trusted, so nothing is assumed absent"));
    }
  }
  return page;
}

const json* ItemsOf(const json& data) {
  const json* items = FirstField(data, {"records", "list"});
  return items != nullptr && items->is_array() ? items : nullptr;
}

}  // namespace

Error ErrorForCode(const std::string& code, const std::string& msg, int http_status) {
  Error e;
  e.code = code;
  e.http_status = http_status;
  e.message = msg.empty() ? "SCNet refused the call with code " + code : msg;
  if (code == "10001" || code == "10012" || code == "716020") {
    e.category = Error::Category::kServer;
    e.retryable = true;
  } else if (code == "10003" || code == "10004" || code == "10010" || code == "10011") {
    e.category = Error::Category::kInvalid;
  } else if (code == "10007" || code == "10008" || code == "10009") {
    e.category = Error::Category::kAuth;
    e.message += "; check the provider's SCNet token (it may have expired) and its permissions";
  } else {
    e.category = Error::Category::kRejected;
  }
  return e;
}

http::Interpretation InterpretResponse(const http::HttpResponse& response) {
  http::Interpretation out;
  const bool ok_status = response.status >= 200 && response.status <= 299;
  std::optional<json> body = http::ParseJson(response.body);
  const json* code = body ? Field(*body, "code") : nullptr;
  std::optional<std::string> code_text = ScalarText(code);
  if (!code_text) {
    out.value =
        std::unexpected(http::MissingEnvelope(response.status, "SCNet", "{code, msg, data}"));
    return out;
  }
  out.code = *code_text;
  if (*code_text == "0" && ok_status) {
    // Moved, not copied: a list page's data is most of the answer.
    const json* data = Field(*body, "data");
    out.value = data != nullptr ? std::move(const_cast<json&>(*data)) : json(nullptr);
    return out;
  }
  if (*code_text == "0") {
    out.value = std::unexpected(http::ErrorForHttpStatus(response.status, "SCNet"));
    out.code = "";
    return out;
  }
  out.value = std::unexpected(ErrorForCode(*code_text, TextOr(*body, "msg"), response.status));
  return out;
}

Observed ParseInstance(const json& item) {
  Observed o;
  o.kind = ResourceKind::kContainerInstance;
  o.id = TextOr(item, "id");
  o.name = TextOr(item, "instanceServiceName");
  o.status = TextOr(item, "status");
  o.description = TextOr(item, "description");
  o.create_time = TextOr(item, "createTime");
  o.message = FailureText(item);
  for (std::string_view key :
       {"cpuNumber", "ramSize", "gpuNumber", "imagePath", "version", "taskType", "acceleratorType",
        "resourceGroup", "taskNumber", "timeoutLimit"}) {
    PutAttribute(o, item, key, {key});
  }
  return o;
}

Observed ParseNotebook(const json& item) {
  Observed o;
  o.kind = ResourceKind::kNotebook;
  o.id = TextOr(item, "id");
  o.name = TextOr(item, "notebookName");
  o.status = TextOr(item, "notebookStatus");
  o.create_time = TextOr(item, "createTime");
  o.message = FailureText(item);
  for (std::string_view key : {"imageName", "cpuNumber", "ramSize", "acceleratorType",
                               "acceleratorNumber", "resourceGroupCode", "resourceGroupId"}) {
    PutAttribute(o, item, key, {key});
  }
  PutAttribute(o, item, "imagePath", {"imagePath", "iamgePath"});
  o.service_command = TextOr(item, "command");
  if (std::optional<int64_t> port =
          http::IntegerOf(FirstField(item, {"customizePort", "customsizePort"}))) {
    o.service_port = static_cast<int>(*port);
  }
  return o;
}

Result<http::ListPage> ParseInstancePage(const json& data) {
  http::ListPage page;
  const json* items = data.is_array() ? &data : ItemsOf(data);
  if (data.is_null()) return page;
  if (items == nullptr) {
    return std::unexpected(
        ProtocolError("SCNet container-instance list data has neither records[] nor list[]"));
  }
  for (const json& item : *items) page.items.push_back(ParseInstance(item));
  page.total = http::IntegerOf(Field(data, "total"));
  return CheckItems(std::move(page), "SCNet container-instance");
}

Result<http::ListPage> ParseNotebookPage(const json& data) {
  http::ListPage page;
  if (data.is_null()) return page;
  const json* items = data.is_array() ? &data : ItemsOf(data);
  if (items != nullptr) {
    for (const json& item : *items) page.items.push_back(ParseNotebook(item));
    page.total = http::IntegerOf(Field(data, "total"));
  } else if (data.is_object() &&
             (Field(data, "id") != nullptr || Field(data, "notebookName") != nullptr)) {
    page.items.push_back(ParseNotebook(data));
    page.last = true;
  } else if (data.is_object() && Field(data, "total") != nullptr) {
    page.total = http::IntegerOf(Field(data, "total"));
  } else {
    return std::unexpected(
        ProtocolError("SCNet notebook list data is neither a page {total, records[]} nor a "
                      "notebook"));
  }
  return CheckItems(std::move(page), "SCNet notebook");
}

std::string CreateInstanceBody(const ContainerInstanceCreate& req) {
  nlohmann::ordered_json body;
  body["instanceServiceName"] = req.instance_service_name;
  body["description"] = req.description;
  body["taskType"] = req.task_type;
  body["acceleratorType"] = req.accelerator_type;
  body["version"] = req.version;
  body["imagePath"] = req.image_path;
  body["timeoutLimit"] = req.timeout_limit;
  body["taskNumber"] = req.task_number;
  body["resourceGroup"] = req.resource_group;
  body["useStartScript"] = req.use_start_script;
  body["startScriptActionScope"] = req.start_script_action_scope;
  body["startScriptContent"] = req.start_script_content;
  body["cpuNumber"] = req.cpu_number;
  body["ramSize"] = req.ram_size;
  body["gpuNumber"] = req.gpu_number;
  body["mountInfoList"] = nlohmann::ordered_json::array();
  for (const MountRequest& m : req.mounts) {
    body["mountInfoList"].push_back(
        {{"sourcePath", m.source_path}, {"targetPath", m.target_path}, {"type", m.type}});
  }
  body["containerPortInfoList"] = nlohmann::ordered_json::array();
  for (const PortRequest& p : req.ports) {
    body["containerPortInfoList"].push_back(
        {{"protocolType", p.protocol_type}, {"containerPort", p.container_port}});
  }
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StartServiceBody(const std::string& notebook_id, int port, const std::string& command) {
  nlohmann::ordered_json body;
  body["id"] = notebook_id;
  body["command"] = command;
  body["customizePort"] = std::to_string(port);
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::string StartNotebookBody(const std::string& notebook_id) {
  nlohmann::ordered_json body;
  body["notebookId"] = notebook_id;
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

Result<std::string> ParseCreatedId(const json& data) {
  std::optional<std::string> id = ScalarText(&data);
  if (data.is_null() || !id || id->empty()) {
    return std::unexpected(
        ProtocolError("SCNet accepted the create but its answer holds no instance id in data"));
  }
  return *id;
}

Status ParseServiceStart(const json& data) {
  const json* ok = Field(data, "execSuccess");
  if (ok == nullptr || !ok->is_boolean()) {
    return std::unexpected(ProtocolError(
        "SCNet customize-service answer has no execSuccess flag; the service state is unknown"));
  }
  if (ok->get<bool>()) return {};
  Error e;
  e.category = Error::Category::kRejected;
  e.message = TextOr(data, "errorMsg");
  if (e.message.empty()) e.message = "the custom service did not start and SCNet gave no reason";
  return std::unexpected(std::move(e));
}

}  // namespace converge::cloud::scnet

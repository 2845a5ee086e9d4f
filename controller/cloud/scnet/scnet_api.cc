#include "cloud/scnet/scnet_api.h"

#include "cloud/http/flat_json.h"
#include "cloud/http/json_fields.h"

namespace converge::cloud::scnet {
namespace {

using http::Field;
using http::FlatObject;
using http::JsonKind;
using http::ProtocolError;
using http::ScalarText;
using http::TextOr;
using nlohmann::json;

// The members of a list item each parser reads (sshPassword is never among them).
constexpr std::string_view kFailureKeys[] = {"errorMessage", "message", "errorMsg"};
// Sorted, so that each attribute of an item is appended to its flat map.
constexpr std::string_view kInstanceAttributes[] = {
    "acceleratorType", "cpuNumber", "gpuNumber",  "imagePath",    "ramSize",
    "resourceGroup",   "taskNumber", "taskType", "timeoutLimit", "version"};
constexpr std::string_view kInstanceKeys[] = {
    "id",       "instanceServiceName", "status",        "description", "errorMessage", "message",
    "errorMsg", "cpuNumber",           "ramSize",       "gpuNumber",   "imagePath",    "version",
    "taskType", "acceleratorType",     "resourceGroup", "taskNumber",  "timeoutLimit"};
constexpr std::string_view kNotebookAttributes[] = {
    "acceleratorNumber", "acceleratorType", "cpuNumber",      "imageName",
    "ramSize",           "resourceGroupCode", "resourceGroupId"};
constexpr std::string_view kNotebookKeys[] = {"id",
                                              "notebookName",
                                              "notebookStatus",
                                              "errorMessage",
                                              "message",
                                              "errorMsg",
                                              "imageName",
                                              "cpuNumber",
                                              "ramSize",
                                              "acceleratorType",
                                              "acceleratorNumber",
                                              "resourceGroupCode",
                                              "resourceGroupId",
                                              "imagePath",
                                              "iamgePath",
                                              "command",
                                              "customizePort",
                                              "customsizePort"};
// A notebook list's data may be one notebook itself (a page marked last).
constexpr std::string_view kNotebookDataKeys[] = {"total",
                                                  "id",
                                                  "notebookName",
                                                  "notebookStatus",
                                                  "errorMessage",
                                                  "message",
                                                  "errorMsg",
                                                  "imageName",
                                                  "cpuNumber",
                                                  "ramSize",
                                                  "acceleratorType",
                                                  "acceleratorNumber",
                                                  "resourceGroupCode",
                                                  "resourceGroupId",
                                                  "imagePath",
                                                  "iamgePath",
                                                  "command",
                                                  "customizePort",
                                                  "customsizePort"};
constexpr std::string_view kEnvelopeKeys[] = {"code", "msg"};
constexpr std::string_view kItemArrays[] = {"records", "list"};
constexpr std::string_view kTotal[] = {"total"};

constexpr http::ListShape kInstanceShape{kEnvelopeKeys, "data", kItemArrays, kTotal, kInstanceKeys};
constexpr http::ListShape kNotebookShape{kEnvelopeKeys, "data", kItemArrays, kNotebookDataKeys,
                                         kNotebookKeys};

// The first of `spellings` present (not null), as an attribute named `key` when
// it holds a scalar.
void PutAttribute(Observed& out, FlatObject& item, std::string_view key,
                  std::initializer_list<std::string_view> spellings) {
  for (std::string_view spelling : spellings) {
    if (std::string* text = item.Text(spelling)) {
      out.attributes.emplace(std::string(key), std::move(*text));
      return;
    }
    if (item.Has(spelling)) return;  // an object or an array: not an attribute
  }
}

std::string FailureText(FlatObject& item) {
  for (std::string_view key : kFailureKeys) {
    std::string* text = item.Text(key);
    if (text != nullptr && !text->empty()) return std::move(*text);
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

Observed InstanceOf(FlatObject item) {
  Observed o;
  o.kind = ResourceKind::kContainerInstance;
  o.id = item.Take("id");
  o.name = item.Take("instanceServiceName");
  o.status = item.Take("status");
  o.description = item.Take("description");
  o.message = FailureText(item);
  o.attributes.reserve(std::size(kInstanceAttributes));
  for (std::string_view key : kInstanceAttributes) PutAttribute(o, item, key, {key});
  return o;
}

Observed NotebookOf(FlatObject item) {
  Observed o;
  o.kind = ResourceKind::kNotebook;
  o.id = item.Take("id");
  o.name = item.Take("notebookName");
  o.status = item.Take("notebookStatus");
  o.message = FailureText(item);
  o.attributes.reserve(std::size(kNotebookAttributes) + 1);
  for (std::string_view key : kNotebookAttributes) PutAttribute(o, item, key, {key});
  PutAttribute(o, item, "imagePath", {"imagePath", "iamgePath"});
  o.service_command = item.Take("command");
  for (std::string_view key : {"customizePort", "customsizePort"}) {
    if (!item.Has(key)) continue;
    if (std::optional<int64_t> port = item.Integer(key)) o.service_port = static_cast<int>(*port);
    break;
  }
  return o;
}

Result<http::ListPage> InstancePageOf(http::FlatListAnswer data) {
  http::ListPage page;
  if (data.data == JsonKind::kNull || data.data == JsonKind::kAbsent) return page;
  if (data.items_kind != JsonKind::kArray) {
    return std::unexpected(
        ProtocolError("SCNet container-instance list data has neither records[] nor list[]"));
  }
  page.items.reserve(data.items.size());
  for (FlatObject& item : data.items) page.items.push_back(InstanceOf(std::move(item)));
  page.total = data.data_members.Integer("total");
  return CheckItems(std::move(page), "SCNet container-instance");
}

Result<http::ListPage> NotebookPageOf(http::FlatListAnswer data) {
  http::ListPage page;
  if (data.data == JsonKind::kNull || data.data == JsonKind::kAbsent) return page;
  const FlatObject& members = data.data_members;
  if (data.items_kind == JsonKind::kArray) {
    page.items.reserve(data.items.size());
    for (FlatObject& item : data.items) page.items.push_back(NotebookOf(std::move(item)));
    page.total = members.Integer("total");
  } else if (data.data == JsonKind::kObject && (members.Has("id") || members.Has("notebookName"))) {
    page.items.push_back(NotebookOf(std::move(data.data_members)));
    page.last = true;
  } else if (data.data == JsonKind::kObject && members.Has("total")) {
    page.total = members.Integer("total");
  } else {
    return std::unexpected(
        ProtocolError("SCNet notebook list data is neither a page {total, records[]} nor a "
                      "notebook"));
  }
  return CheckItems(std::move(page), "SCNet notebook");
}

// The envelope's verdict from its code and msg: nullopt on success.
std::optional<Error> EnvelopeError(int status, const std::optional<std::string>& code,
                                   const std::string& msg, std::string* label) {
  if (!code) return http::MissingEnvelope(status, "SCNet", "{code, msg, data}");
  *label = *code;
  const bool ok_status = status >= 200 && status <= 299;
  if (*code == "0" && ok_status) return std::nullopt;
  if (*code == "0") {
    *label = "";
    return http::ErrorForHttpStatus(status, "SCNet");
  }
  return ErrorForCode(*code, msg, status);
}

// A list answer read in one pass into `page` (parsed or failed); the envelope's
// verdict as an Interpretation whose value is null.
http::Interpretation InterpretList(const http::HttpResponse& response, const http::ListShape& shape,
                                   Result<http::ListPage> (*page_of)(http::FlatListAnswer),
                                   Result<http::ListPage>* page) {
  http::Interpretation out;
  std::optional<http::FlatListAnswer> answer = http::ReadFlatListAnswer(response.body, shape);
  std::optional<std::string> code;
  std::string msg;
  if (answer) {
    if (const std::string* c = answer->envelope.Text("code")) code = *c;
    if (const std::string* m = answer->envelope.Text("msg")) msg = *m;
  }
  if (std::optional<Error> e = EnvelopeError(response.status, code, msg, &out.code)) {
    out.value = std::unexpected(std::move(*e));
    return out;
  }
  *page = page_of(std::move(*answer));
  out.value = json(nullptr);
  return out;
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
  std::optional<json> body = http::ParseJson(response.body);
  const json* code = body ? Field(*body, "code") : nullptr;
  if (std::optional<Error> e = EnvelopeError(response.status, ScalarText(code),
                                             body ? TextOr(*body, "msg") : "", &out.code)) {
    out.value = std::unexpected(std::move(*e));
    return out;
  }
  // Moved, not copied: a list page's data is most of the answer.
  const json* data = Field(*body, "data");
  out.value = data != nullptr ? std::move(const_cast<json&>(*data)) : json(nullptr);
  return out;
}

http::Interpretation InterpretInstancePage(const http::HttpResponse& response,
                                           Result<http::ListPage>* page) {
  return InterpretList(response, kInstanceShape, InstancePageOf, page);
}

http::Interpretation InterpretNotebookPage(const http::HttpResponse& response,
                                           Result<http::ListPage>* page) {
  return InterpretList(response, kNotebookShape, NotebookPageOf, page);
}

Observed ParseInstance(const json& item) { return InstanceOf(FlatObject::Of(item, kInstanceKeys)); }

Observed ParseNotebook(const json& item) { return NotebookOf(FlatObject::Of(item, kNotebookKeys)); }

Result<http::ListPage> ParseInstancePage(const json& data) {
  return InstancePageOf(http::FlatListDataOf(data, kInstanceShape));
}

Result<http::ListPage> ParseNotebookPage(const json& data) {
  return NotebookPageOf(http::FlatListDataOf(data, kNotebookShape));
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

#include "sim/scnet_world.h"

#include <algorithm>
#include <cstdio>
#include <set>

#include "sim/scnet_world_detail.h"

namespace converge::sim {

using namespace scnet_detail;

json ScnetEnvelope(const std::string& code, const std::string& msg, json data) {
  return {{"code", code}, {"msg", msg}, {"data", std::move(data)}};
}

std::string ScnetTime(WallTime t) { return FormatUtc8(t, "%Y-%m-%d %H:%M:%S"); }

ScnetWorld::ScnetWorld(const SimOptions& options, Clock& clock, Random& random)
    : CloudWorld(options, clock, random),
      notebooks_{Kind::kScnetNotebook,
                 "scnet",
                 "notebook",
                 "scnet.notebooks",
                 "id",
                 "notebookName",
                 "notebookStatus",
                 kNotebookStatuses,
                 "Creating, Restarting, Running, Terminated, Failed, Shutting",
                 {}},
      instances_{Kind::kScnetInstance,
                 "scnet",
                 "instance",
                 "scnet.instances",
                 "id",
                 "instanceServiceName",
                 "status",
                 kInstanceStatuses,
                 "Running, Deploying, Waiting, Terminated, Failed, Completed",
                 {}} {}

// ---------------------------------------------------------------------------
// Lifecycles

void ScnetWorld::Enter(Resource& r, const std::string& status, WallTime at) {
  r.status = status;
  r.since = at;
  json& d = r.data;
  if (r.kind == Kind::kScnetNotebook) {
    d["notebookStatus"] = status;
    d["updateTime"] = ScnetTime(at);
    if (status == "Terminated" || status == "Failed" || status == "Shutting") {
      // The notebook's processes died with it: the custom service is gone.
      d["command"] = nullptr;
      d["customizePort"] = nullptr;
      d["serviceUrl"] = nullptr;
      d["containerId"] = nullptr;
    } else if (status == "Running" && d["containerId"].is_null()) {
      d["containerId"] = Hex(64);
    }
  } else {
    d["status"] = status;
    d["updateTime"] = ScnetTime(at);
    if (status == "Running") d["startTime"] = ScnetTime(at);
    if (status == "Waiting") d["startTime"] = nullptr;
  }
}

void ScnetWorld::Resume(Resource& r) {
  const std::string& status = r.status;
  if (r.kind == Kind::kScnetNotebook) {
    if (status == "Creating" || status == "Restarting") {
      r.pending = {{"Running", options_.notebook_restarting}};
    }
    if (status == "Shutting") r.pending = {{"Terminated", options_.notebook_shutting}};
    if (status == "Running" && r.data["containerId"].is_null()) {
      r.data["containerId"] = Hex(64);
    }
  } else {
    if (status == "Waiting") {
      r.pending = {{"Deploying", options_.instance_waiting},
                   {"Running", options_.instance_deploying}};
    }
    if (status == "Deploying") r.pending = {{"Running", options_.instance_deploying}};
    if (status == "Running" && r.data["startTime"].is_null()) {
      r.data["startTime"] = r.data["createTime"];
    }
  }
}

Resource* ScnetWorld::FindNotebook(const std::string& id) {
  for (auto& r : notebooks_.items) {
    if (Str(r.data["id"]) == id) return &r;
  }
  return nullptr;
}

Resource* ScnetWorld::FindInstance(const std::string& id) {
  for (auto& r : instances_.items) {
    if (Str(r.data["id"]) == id) return &r;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Records

json ScnetWorld::NewRecord(const Table& table, const json& given) {
  return table.kind == Kind::kScnetNotebook ? NewNotebook(given) : NewInstance(given);
}

json ScnetWorld::NewNotebook(const json& given) {
  const WallTime now = clock_.WallNow();
  json d = {
      {"id", Digits(19)},
      {"notebookName", nullptr},
      {"notebookStatus", "Running"},
      {"imageName", "jupyterlab-simplesdxl-webui:pytorch2.1.0-py3.10-dtk24.04-model"},
      {"imagePath",
       "image.ac.com:5000/dcu/admin/base/"
       "jupyterlab-simplesdxl-webui:pytorch2.1.0-py3.10-dtk24.04-model"},
      {"cpuNumber", "24核心"},
      {"acceleratorType", "dcu"},
      {"acceleratorNumber", 1},
      {"resourceGroupCode", "hgk100_ainormal93b0dc03"},
      {"acceleratorMode", "异构加速卡AI"},
      {"ramSize", "110GB"},
      {"imageSize", "43726906378"},
      {"createTime", ScnetTime(now)},
      {"releaseTime", "28天20小时17分钟"},
      {"updateTime", ScnetTime(now)},
      {"progress", nullptr},
      {"startType", "normal"},
      {"maxTimeout", nullptr},
      {"sshPassword", "sim" + Hex(12)},
      {"serviceIp", "10.68.206.205"},
      {"serviceUrl", nullptr},
      {"sshUrl", nullptr},
      {"taskId", Digits(19)},
      {"enoughResource", true},
      {"containerId", nullptr},
      {"resourceGroupId", "15"},
      {"containerType", nullptr},
      {"node", "10.13.1.15"},
      {"message", nullptr},
      {"errorMessage", nullptr},
      {"maxNumber", 8},
      {"freeNumber", 5},
      {"command", nullptr},
      {"customizePort", nullptr},
  };
  for (const auto& [k, v] : given.items()) d[k == "customsizePort" ? "customizePort" : k] = v;
  return d;
}

json ScnetWorld::NewInstance(const json& given) {
  const WallTime now = clock_.WallNow();
  json d = {
      {"id", Hex(32)},
      {"instanceServiceName", nullptr},
      {"status", "Running"},
      {"createTime", ScnetTime(now)},
      {"startTime", nullptr},
      {"updateTime", ScnetTime(now)},
      {"description", ""},
      {"taskType", "ssh"},
      {"acceleratorType", "gpu"},
      {"version", "jupyter:4.4-py3.7-cpu"},
      {"imagePath", "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu"},
      {"cpuNumber", 3},
      {"ramSize", 15360},
      {"gpuNumber", 1},
      {"taskNumber", 1},
      {"resourceGroup", "TeslaM40"},
      {"timeoutLimit", "unlimited"},
      {"useStartScript", false},
      {"startScriptActionScope", "all"},
      {"startScriptContent", ""},
      {"mountInfoList", json::array()},
      {"containerPortInfoList", json::array()},
  };
  for (const auto& [k, v] : given.items()) d[k] = v;
  return d;
}

// SCNet notebooks

ScnetReply ScnetWorld::ListNotebooks(const std::map<std::string, std::string>& query) {
  int64_t page = 1, size = 20;
  ScnetReply error;
  if (!QueryInt(query, "page", 1, 1, &page, &error)) return error;
  if (!QueryInt(query, "size", 20, 1, &size, &error)) return error;
  const std::string name = Query(query, "notebookName");
  const std::string status = Query(query, "notebookStatus");
  if (!status.empty() && !kNotebookStatuses.count(status)) {
    return Invalid("notebookStatus",
                   "unknown status \"" + status + "\" (" + notebooks_.status_help + ")");
  }
  json matched = json::array();
  for (auto& r : notebooks_.items) {
    Advance(r);
    if (!name.empty() && Str(r.data["notebookName"]).find(name) == std::string::npos) continue;
    if (!status.empty() && r.status != status) continue;
    matched.push_back(r.data);
  }
  json records = json::array();
  const int64_t first = (page - 1) * size;
  for (int64_t i = first; i < static_cast<int64_t>(matched.size()) && i < first + size; ++i) {
    records.push_back(matched[i]);
  }
  return {ScnetEnvelope(scnet_code::kOk, "success",
                        {{"total", matched.size()}, {"records", std::move(records)}})};
}

ScnetReply ScnetWorld::StartNotebook(const json& body) {
  if (!body.contains("notebookId") || body["notebookId"].is_null()) return Missing("notebookId");
  if (!body["notebookId"].is_string() && !body["notebookId"].is_number_integer()) {
    return Invalid("notebookId", "must be a string");
  }
  const std::string id = body["notebookId"].is_string() ? body["notebookId"].get<std::string>()
                                                        : body["notebookId"].dump();
  Resource* r = FindNotebook(id);
  if (!r) return Invalid("notebookId", "notebook " + id + " does not exist");
  Advance(*r);
  if (r->status != "Terminated" && r->status != "Failed") {
    return Invalid("notebookId", "notebook " + id + " is " + r->status +
                                     "; only Terminated or Failed notebooks can be started");
  }
  Begin(*r, "Restarting", {{"Running", options_.notebook_restarting}});
  return {ScnetEnvelope(scnet_code::kOk, "success", nullptr)};
}

ScnetReply ScnetWorld::StartNotebookService(const json& body) {
  if (!body.contains("id") || body["id"].is_null()) return Missing("id");
  if (!body["id"].is_string()) return Invalid("id", "must be a string");
  if (!body.contains("command") || body["command"].is_null()) return Missing("command");
  if (!body["command"].is_string() || body["command"].get<std::string>().empty()) {
    return Invalid("command", "must be a non-empty string");
  }
  const char* port_key = body.contains("customizePort")    ? "customizePort"
                         : body.contains("customsizePort") ? "customsizePort"
                                                           : nullptr;
  if (!port_key || body[port_key].is_null()) return Missing("customizePort");
  int64_t port = 0;
  if (!JsonInt(body[port_key], &port) || port < 1 || port > 65535) {
    return Invalid(port_key, "must be a port number between 1 and 65535");
  }
  const std::string id = body["id"].get<std::string>();
  Resource* r = FindNotebook(id);
  if (!r) return Invalid("id", "notebook " + id + " does not exist");
  Advance(*r);
  if (r->status != "Running") {
    return {ScnetEnvelope(scnet_code::kOk, "success",
                          {{"execSuccess", false},
                           {"errorMsg", "notebook " + Str(r->data["notebookName"]) + " is " +
                                            r->status + ", not Running; start the notebook first"},
                           {"output", nullptr}})};
  }
  r->data["command"] = body["command"];
  r->data["customizePort"] = std::to_string(port);
  r->data["serviceUrl"] = "https://c-" + id + ".ksai.scnet.cn:58043";
  r->data["updateTime"] = ScnetTime(clock_.WallNow());
  return {ScnetEnvelope(scnet_code::kOk, "success",
                        {{"execSuccess", true}, {"errorMsg", nullptr}, {"output", nullptr}})};
}

}  // namespace converge::sim

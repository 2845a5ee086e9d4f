// ScnetWorld's container instances: create, list, get, restart, stop and delete.
#include "sim/scnet_world.h"

#include <algorithm>
#include <set>

#include "sim/scnet_world_detail.h"

namespace converge::sim {

using namespace scnet_detail;

// ---------------------------------------------------------------------------
// SCNet container instances

ScnetReply ScnetWorld::CreateContainerInstance(const json& b) {
  json spec = json::object();
  auto str = [&](const char* key, bool required, const std::set<std::string>& allowed,
                 ScnetReply* err) {
    if (!b.contains(key) || b[key].is_null()) {
      if (required) *err = Missing(key);
      return !required;
    }
    if (!b[key].is_string()) {
      *err = Invalid(key, "must be a string");
      return false;
    }
    const std::string v = b[key].get<std::string>();
    if (required && v.empty()) {
      *err = Missing(key);
      return false;
    }
    if (!allowed.empty() && !allowed.count(v)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      *err = Invalid(key, "\"" + v + "\" is not one of " + list);
      return false;
    }
    spec[key] = v;
    return true;
  };
  auto num = [&](const char* key, int64_t min, ScnetReply* err) {
    if (!b.contains(key) || b[key].is_null()) {
      *err = Missing(key);
      return false;
    }
    int64_t v = 0;
    if (!JsonInt(b[key], &v) || v < min) {
      *err = Invalid(key, "must be an integer >= " + std::to_string(min));
      return false;
    }
    spec[key] = v;
    return true;
  };
  ScnetReply err;
  if (!str("instanceServiceName", true, {}, &err)) return err;
  if (!str("description", false, {}, &err)) return err;
  if (!str("taskType", true, {"ssh", "jupyter", "codeserver", "rstudio"}, &err)) return err;
  if (!str("acceleratorType", true, {"mlu", "dcu", "gpu", "cpu"}, &err)) return err;
  if (!str("version", true, {}, &err)) return err;
  if (!str("imagePath", true, {}, &err)) return err;
  if (!str("timeoutLimit", true, {}, &err)) return err;
  if (!num("taskNumber", 1, &err)) return err;
  if (!str("resourceGroup", true, {}, &err)) return err;
  if (!b.contains("useStartScript") || b["useStartScript"].is_null()) {
    return Missing("useStartScript");
  }
  if (!b["useStartScript"].is_boolean()) return Invalid("useStartScript", "must be true or false");
  spec["useStartScript"] = b["useStartScript"];
  if (!str("startScriptActionScope", true, {"all", "header"}, &err)) return err;
  if (!str("startScriptContent", false, {}, &err)) return err;
  if (b["useStartScript"].get<bool>() && Str(spec.value("startScriptContent", json())).empty()) {
    return Missing("startScriptContent");
  }
  if (!num("cpuNumber", 1, &err)) return err;
  if (!num("ramSize", 1, &err)) return err;
  if (!num("gpuNumber", 0, &err)) return err;

  const std::string timeout = spec["timeoutLimit"].get<std::string>();
  int h = 0, m = 0, s = 0;
  char tail = 0;
  if (timeout != "unlimited" &&
      (std::sscanf(timeout.c_str(), "%d:%d:%d%c", &h, &m, &s, &tail) != 3 || h < 0 || m < 0 ||
       m > 59 || s < 0 || s > 59)) {
    return Invalid("timeoutLimit", "\"" + timeout + "\" is not HH:MM:SS or \"unlimited\"");
  }

  json mounts = json::array();
  if (b.contains("mountInfoList") && !b["mountInfoList"].is_null()) {
    if (!b["mountInfoList"].is_array()) return Invalid("mountInfoList", "must be an array");
    for (size_t i = 0; i < b["mountInfoList"].size(); ++i) {
      const json& e = b["mountInfoList"][i];
      const std::string at = "mountInfoList[" + std::to_string(i) + "].";
      if (!e.is_object())
        return Invalid("mountInfoList[" + std::to_string(i) + "]", "must be an object");
      for (const char* key : {"sourcePath", "targetPath", "type"}) {
        if (!e.contains(key) || e[key].is_null() || Str(e[key]).empty()) {
          if (e.contains(key) && !e[key].is_null() && !e[key].is_string()) {
            return Invalid(at + key, "must be a string");
          }
          return Missing(at + key);
        }
      }
      if (e["type"] != "data" && e["type"] != "path") {
        return Invalid(at + "type", "\"" + Str(e["type"]) + "\" is not one of data, path");
      }
      mounts.push_back(
          {{"sourcePath", e["sourcePath"]}, {"targetPath", e["targetPath"]}, {"type", e["type"]}});
    }
  }
  spec["mountInfoList"] = mounts;

  json ports = json::array();
  if (b.contains("containerPortInfoList") && !b["containerPortInfoList"].is_null()) {
    if (!b["containerPortInfoList"].is_array()) {
      return Invalid("containerPortInfoList", "must be an array");
    }
    for (size_t i = 0; i < b["containerPortInfoList"].size(); ++i) {
      const json& e = b["containerPortInfoList"][i];
      const std::string at = "containerPortInfoList[" + std::to_string(i) + "].";
      if (!e.is_object()) {
        return Invalid("containerPortInfoList[" + std::to_string(i) + "]", "must be an object");
      }
      if (!e.contains("containerPort") || e["containerPort"].is_null()) {
        return Missing(at + "containerPort");
      }
      int64_t port = 0;
      if (!JsonInt(e["containerPort"], &port) || port < 1 || port > 65535) {
        return Invalid(at + "containerPort", "must be a port number between 1 and 65535");
      }
      if (!e.contains("protocolType") || e["protocolType"].is_null()) {
        return Missing(at + "protocolType");
      }
      if (e["protocolType"] != "SSH" && e["protocolType"] != "HTTP") {
        return Invalid(at + "protocolType",
                       "\"" + Str(e["protocolType"]) + "\" is not one of SSH, HTTP");
      }
      ports.push_back({{"protocolType", e["protocolType"]}, {"containerPort", port}});
    }
  }
  spec["containerPortInfoList"] = ports;
  if (!spec.contains("description")) spec["description"] = "";
  if (!spec.contains("startScriptContent")) spec["startScriptContent"] = "";

  Resource r = NewResource(Kind::kScnetInstance, NewInstance(spec));
  Begin(r, "Waiting",
        {{"Deploying", options_.instance_waiting}, {"Running", options_.instance_deploying}});
  const std::string id = r.data["id"];
  instances_.items.push_back(std::move(r));
  return {ScnetEnvelope(scnet_code::kOk, "success", id)};
}

json ScnetWorld::InstanceItem(Resource& r) {
  Advance(r);
  json item = json::object();
  for (const char* key :
       {"id", "instanceServiceName", "status", "createTime", "startTime", "description", "taskType",
        "acceleratorType", "version", "imagePath", "cpuNumber", "ramSize", "gpuNumber",
        "taskNumber", "resourceGroup", "timeoutLimit"}) {
    item[key] = r.data.contains(key) ? r.data[key] : json();
  }
  return item;
}

ScnetReply ScnetWorld::ListContainerInstances(const std::map<std::string, std::string>& query) {
  ScnetReply error;
  if (Query(query, "limit").empty()) return Missing("limit");
  if (Query(query, "sort").empty()) return Missing("sort");
  int64_t start = 0, limit = 0;
  if (!QueryInt(query, "start", 0, 0, &start, &error)) return error;
  if (!QueryInt(query, "limit", 0, 1, &limit, &error)) return error;
  const std::string sort = Query(query, "sort");
  if (sort != "desc" && sort != "asc") {
    return Invalid("sort", "\"" + sort + "\" is not one of desc, asc");
  }
  const std::string name = Query(query, "instanceServiceName");
  const std::string status = Query(query, "status");
  const std::string task_type = Query(query, "taskType");
  if (!status.empty() && !kInstanceStatuses.count(status)) {
    return Invalid("status", "unknown status \"" + status + "\" (" + instances_.status_help + ")");
  }
  std::vector<Resource*> ordered;
  for (auto& r : instances_.items) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [&](Resource* a, Resource* b) {
    return sort == "desc" ? a->seq > b->seq : a->seq < b->seq;
  });
  // Filter on the stored data; build list items for the requested page only.
  std::vector<Resource*> matched;
  for (Resource* r : ordered) {
    Advance(*r);
    if (!name.empty() && Str(r->data["instanceServiceName"]).find(name) == std::string::npos) {
      continue;
    }
    if (!status.empty() && r->status != status) continue;
    if (!task_type.empty() && Str(r->data["taskType"]) != task_type) continue;
    matched.push_back(r);
  }
  json page = json::array();
  for (int64_t i = start; i < static_cast<int64_t>(matched.size()) && i < start + limit; ++i) {
    page.push_back(InstanceItem(*matched[i]));
  }
  return {ScnetEnvelope(scnet_code::kOk, "success",
                        {{"total", matched.size()}, {options_.instance_list_key, page}})};
}

ScnetReply ScnetWorld::GetContainerInstance(const std::string& id) {
  Resource* r = FindInstance(id);
  if (!r) return Invalid("id", "instance service " + id + " does not exist");
  Advance(*r);
  return {ScnetEnvelope(scnet_code::kOk, "success", r->data)};
}

ScnetReply ScnetWorld::RestartContainerInstance(const std::map<std::string, std::string>& query) {
  const std::string id = Query(query, "instanceServiceId");
  if (id.empty()) return Missing("instanceServiceId");
  Resource* r = FindInstance(id);
  if (!r) return Invalid("instanceServiceId", "instance service " + id + " does not exist");
  Advance(*r);
  if (r->status != "Failed" && r->status != "Terminated" && r->status != "Completed") {
    return Invalid("instanceServiceId",
                   "instance service " + id + " is " + r->status +
                       "; only Failed, Terminated or Completed instances can be restarted");
  }
  Begin(*r, "Waiting",
        {{"Deploying", options_.instance_waiting}, {"Running", options_.instance_deploying}});
  return {ScnetEnvelope(scnet_code::kOk, "success", id)};
}

namespace {

std::vector<std::string> SplitIds(const std::string& ids) {
  std::vector<std::string> out;
  size_t at = 0;
  while (at <= ids.size()) {
    const size_t comma = ids.find(',', at);
    const std::string id =
        ids.substr(at, comma == std::string::npos ? std::string::npos : comma - at);
    if (!id.empty()) out.push_back(id);
    if (comma == std::string::npos) break;
    at = comma + 1;
  }
  return out;
}

}  // namespace

ScnetReply ScnetWorld::StopContainerInstances(const std::map<std::string, std::string>& query) {
  const std::vector<std::string> ids = SplitIds(Query(query, "ids"));
  if (ids.empty()) return Missing("ids");
  std::vector<Resource*> found;
  for (const auto& id : ids) {
    Resource* r = FindInstance(id);
    if (!r) return Invalid("ids", "instance service " + id + " does not exist");
    Advance(*r);
    if (r->status != "Running" && r->status != "Deploying" && r->status != "Waiting") {
      return Invalid("ids", "instance service " + id + " is " + r->status +
                                "; only Running, Deploying or Waiting instances can be stopped");
    }
    found.push_back(r);
  }
  for (Resource* r : found) Begin(*r, "Terminated", {});
  return {ScnetEnvelope(scnet_code::kOk, "success", nullptr)};
}

ScnetReply ScnetWorld::DeleteContainerInstances(const std::map<std::string, std::string>& query) {
  const std::vector<std::string> ids = SplitIds(Query(query, "ids"));
  if (ids.empty()) return Missing("ids");
  for (const auto& id : ids) {
    if (!FindInstance(id)) return Invalid("ids", "instance service " + id + " does not exist");
  }
  std::erase_if(instances_.items, [&](const Resource& r) {
    return std::find(ids.begin(), ids.end(), Str(r.data["id"])) != ids.end();
  });
  return {ScnetEnvelope(scnet_code::kOk, "success", nullptr)};
}

json ScnetWorld::ListInstances() {
  json out = json::array();
  for (auto& r : instances_.items) out.push_back(InstanceItem(r));
  return out;
}

}  // namespace converge::sim

#include "sim/world.h"

#include <algorithm>
#include <charconv>
#include <ctime>
#include <set>

namespace converge::sim {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

const std::set<std::string> kNotebookStatuses = {"Creating",   "Restarting", "Running",
                                                 "Terminated", "Failed",     "Shutting"};
const std::set<std::string> kInstanceStatuses = {"Running",    "Deploying", "Waiting",
                                                 "Terminated", "Failed",    "Completed"};
const std::set<std::string> kTioneStatuses = {"Submitting", "Starting", "Running",     "Stopping",
                                              "Stopped",    "Failed",   "SubmitFailed"};

std::string FormatUtc8(WallTime t, const char* format) {
  const std::time_t secs = std::chrono::system_clock::to_time_t(t) + 8 * 3600;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, format, &tm);
  return buf;
}

bool ParseInt(const std::string& text, int64_t* out) {
  if (text.empty()) return false;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

// An integer given as a JSON number or a numeric string.
bool JsonInt(const json& v, int64_t* out) {
  if (v.is_number_integer()) {
    *out = v.get<int64_t>();
    return true;
  }
  if (v.is_number_float()) {
    double d = v.get<double>();
    if (d != static_cast<double>(static_cast<int64_t>(d))) return false;
    *out = static_cast<int64_t>(d);
    return true;
  }
  if (v.is_string()) return ParseInt(v.get<std::string>(), out);
  return false;
}

std::string Str(const json& v) { return v.is_string() ? v.get<std::string>() : std::string(); }

ScnetReply ScnetError(const std::string& code, const std::string& msg, int http = 200) {
  return {ScnetEnvelope(code, msg), http};
}

ScnetReply Missing(const std::string& field) {
  return ScnetError(scnet_code::kMissingParameter, "missing required parameter " + field);
}

ScnetReply Invalid(const std::string& field, const std::string& why) {
  return ScnetError(scnet_code::kInvalidParameter, "invalid parameter " + field + ": " + why);
}

TioneReply TioneMissing(const std::string& field) {
  return TioneError("MissingParameter",
                    "The request is missing a required parameter `" + field + "`.");
}

TioneReply TioneInvalidValue(const std::string& field, const std::string& why) {
  return TioneError("InvalidParameterValue",
                    "The value of parameter `" + field + "` is invalid: " + why);
}

TioneReply TioneInvalidType(const std::string& field, const std::string& type) {
  return TioneError("InvalidParameter",
                    "The type of parameter `" + field + "` must be " + type + ".");
}

// Optional non-negative integer query parameter; false + reply on error.
bool QueryInt(const std::map<std::string, std::string>& q, const std::string& key, int64_t fallback,
              int64_t min, int64_t* out, ScnetReply* error) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) {
    *out = fallback;
    return true;
  }
  if (!ParseInt(it->second, out) || *out < min) {
    *error = Invalid(
        key, "must be an integer >= " + std::to_string(min) + ", got \"" + it->second + "\"");
    return false;
  }
  return true;
}

std::string Query(const std::map<std::string, std::string>& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? std::string() : it->second;
}

}  // namespace

json ScnetEnvelope(const std::string& code, const std::string& msg, json data) {
  return {{"code", code}, {"msg", msg}, {"data", std::move(data)}};
}

TioneReply TioneError(const std::string& code, const std::string& message) {
  TioneReply r;
  r.error_code = code;
  r.error_message = message;
  return r;
}

std::string ScnetTime(WallTime t) { return FormatUtc8(t, "%Y-%m-%d %H:%M:%S"); }
std::string TioneTime(WallTime t) { return FormatUtc8(t, "%Y-%m-%dT%H:%M:%S+08"); }

World::World(const SimOptions& options, Clock& clock, Random& random)
    : options_(options), clock_(clock), random_(random) {}

std::string World::Digits(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) {
    s.push_back(static_cast<char>('0' + (i == 0 ? 1 + random_.Next() % 9 : random_.Next() % 10)));
  }
  return s;
}

std::string World::Hex(int n) {
  std::string s;
  for (int i = 0; i < n; ++i) s.push_back(kHexDigits[random_.Next() % 16]);
  return s;
}

void World::Clear() {
  scnet_notebooks_.clear();
  instances_.clear();
  tione_notebooks_.clear();
}

// ---------------------------------------------------------------------------
// Lifecycles

void World::Enter(Resource& r, const std::string& status, WallTime at) {
  r.status = status;
  r.since = at;
  json& d = r.data;
  switch (r.kind) {
    case Kind::kScnetNotebook:
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
      break;
    case Kind::kScnetInstance:
      d["status"] = status;
      d["updateTime"] = ScnetTime(at);
      if (status == "Running") d["startTime"] = ScnetTime(at);
      if (status == "Waiting") d["startTime"] = nullptr;
      break;
    case Kind::kTioneNotebook:
      d["Status"] = status;
      d["UpdateTime"] = TioneTime(at);
      if (status == "Running") {
        d["StartTime"] = TioneTime(at);
        d["EndTime"] = nullptr;
        d["ChargeStatus"] = "BILLING";
      } else if (status == "Stopped" || status == "Failed" || status == "SubmitFailed") {
        d["EndTime"] = TioneTime(at);
        d["ChargeStatus"] = "NOT_BILLING";
      } else if (status == "Submitting" || status == "Starting") {
        d["JobCreateTime"] = TioneTime(at);
      }
      break;
  }
}

void World::Begin(Resource& r, const std::string& status, std::vector<Step> steps) {
  Enter(r, status, clock_.WallNow());
  r.pending.assign(steps.begin(), steps.end());
}

void World::Advance(Resource& r) {
  const WallTime now = clock_.WallNow();
  while (!r.pending.empty() && now - r.since >= r.pending.front().after) {
    Step step = r.pending.front();
    r.pending.pop_front();
    Enter(r, step.status, r.since + step.after);
  }
}

World::Resource* World::FindScnetNotebook(const std::string& id) {
  for (auto& r : scnet_notebooks_) {
    if (Str(r.data["id"]) == id) return &r;
  }
  return nullptr;
}

World::Resource* World::FindInstance(const std::string& id) {
  for (auto& r : instances_) {
    if (Str(r.data["id"]) == id) return &r;
  }
  return nullptr;
}

World::Resource* World::FindTione(const std::string& id) {
  for (auto& r : tione_notebooks_) {
    if (Str(r.data["Id"]) == id) return &r;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Records

json World::NewScnetNotebook(const json& given) {
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

json World::NewInstance(const json& given) {
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

json World::NewTioneNotebook(const json& given) {
  const WallTime now = clock_.WallNow();
  const std::string id = "nb-" + Digits(19);
  json d = {
      {"ChargeType", "POSTPAID_BY_HOUR"},
      {"AutomaticStopTime", 0},
      {"EndTime", nullptr},
      {"ChargeStatus", "NOT_BILLING"},
      {"Status", "Running"},
      {"UpdateTime", TioneTime(now)},
      {"DataSource", nullptr},
      {"Message", nullptr},
      {"VolumeSourceCFS", nullptr},
      {"VolumeSourceType", "FREE"},
      {"ImageInfo",
       {{"ImageType", "SYSTEM"},
        {"ImageUrl",
         "tione.tencentcloudcr.com/qcloud-ti-platform/"
         "llm-train:24.03-gpu-py310-cu124-tilearn-llm-v1.8.0"},
        {"ImageName", "tilearn-llm0.9-torch2.3-py3.10-cuda12.4-gpu"},
        {"RegistryId", ""},
        {"RegistryRegion", ""}}},
      {"ImageType", "SYSTEM"},
      {"DataConfigs", json::array()},
      {"VpcId", nullptr},
      {"Tags", json::array()},
      {"Id", id},
      {"ResourceGroupId", nullptr},
      {"SubnetId", nullptr},
      {"LifecycleScriptId", nullptr},
      {"RootAccess", true},
      {"Name", nullptr},
      {"DefaultCodeRepoId", nullptr},
      {"ResourceConf",
       {{"Gpu", 0},
        {"Cpu", 2000},
        {"GpuType", nullptr},
        {"InstanceType", "TI.S.MEDIUM.POST"},
        {"Memory", 4000}}},
      {"AutoStopping", false},
      {"ResourceGroupName", nullptr},
      {"LogEnable", false},
      {"BillingInfos", json::array()},
      {"InstanceTypeAlias", "2C4G"},
      {"AdditionalCodeRepoIds", json::array()},
      {"DirectInternetAccess", true},
      {"CreateTime", TioneTime(now)},
      {"JobCreateTime", TioneTime(now)},
      {"RuntimeInSeconds", 0},
      {"VolumeSizeInGB", 10},
      {"StartTime", nullptr},
      {"PodName", id + "-" + Hex(12)},
      {"FailureReason", nullptr},
      {"SubUin", "100000000001"},
      {"LogConfig", nullptr},
  };
  for (const auto& [k, v] : given.items()) {
    if (k == "ResourceConf" && v.is_object()) {
      for (const auto& [rk, rv] : v.items()) d["ResourceConf"][rk] = rv;
    } else {
      d[k] = v;
    }
  }
  const json& rc = d["ResourceConf"];
  if (rc["Cpu"].is_number() && rc["Memory"].is_number()) {
    d["InstanceTypeAlias"] = std::to_string(rc["Cpu"].get<int64_t>() / 1000) + "C" +
                             std::to_string(rc["Memory"].get<int64_t>() / 1000) + "G";
  }
  return d;
}

// ---------------------------------------------------------------------------
// Fixture

bool World::Load(const json& fixture, std::string* error) {
  Clear();
  if (!fixture.is_object()) {
    *error = "fixture must be a JSON object with \"scnet\" and/or \"tione\"";
    return false;
  }
  auto list = [&](const char* cloud, const char* key, const json** out) {
    *out = nullptr;
    if (!fixture.contains(cloud)) return true;
    const json& c = fixture[cloud];
    if (!c.is_object()) {
      *error = std::string("fixture \"") + cloud + "\" must be an object";
      return false;
    }
    if (!c.contains(key)) return true;
    if (!c[key].is_array()) {
      *error = std::string("fixture ") + cloud + "." + key + " must be an array";
      return false;
    }
    *out = &c[key];
    return true;
  };
  const json* notebooks;
  const json* instances;
  const json* tione;
  if (!list("scnet", "notebooks", &notebooks) || !list("scnet", "instances", &instances) ||
      !list("tione", "notebooks", &tione)) {
    return false;
  }
  // Every entry: a string name, a known status; then the kind's own start-up.
  struct Section {
    const json* entries;
    const char* where;
    const char* name_key;
    const char* status_key;
    const std::set<std::string>& statuses;
    const char* status_help;
    Kind kind;
  };
  const Section sections[] = {
      {notebooks, "scnet.notebooks", "notebookName", "notebookStatus", kNotebookStatuses,
       "Creating, Restarting, Running, Terminated, Failed, Shutting", Kind::kScnetNotebook},
      {instances, "scnet.instances", "instanceServiceName", "status", kInstanceStatuses,
       "Running, Deploying, Waiting, Terminated, Failed, Completed", Kind::kScnetInstance},
      {tione, "tione.notebooks", "Name", "Status", kTioneStatuses,
       "Submitting, Starting, Running, Stopping, Stopped, Failed, SubmitFailed",
       Kind::kTioneNotebook},
  };
  for (const Section& section : sections) {
    for (size_t i = 0; section.entries && i < section.entries->size(); ++i) {
      const json& e = (*section.entries)[i];
      const std::string where =
          std::string("fixture ") + section.where + "[" + std::to_string(i) + "]";
      if (!e.is_object() || !e.contains(section.name_key) || !e[section.name_key].is_string()) {
        *error = where + ": needs a string \"" + section.name_key + "\"";
        return false;
      }
      json data = section.kind == Kind::kScnetNotebook   ? NewScnetNotebook(e)
                  : section.kind == Kind::kScnetInstance ? NewInstance(e)
                                                         : NewTioneNotebook(e);
      Resource r{section.kind, std::move(data), "", {}, {}, next_seq_++};
      const std::string status = Str(r.data[section.status_key]);
      if (!section.statuses.count(status)) {
        *error = where + ": unknown " + section.status_key + " \"" + status + "\" (" +
                 section.status_help + ")";
        return false;
      }
      r.status = status;
      r.since = clock_.WallNow();
      switch (section.kind) {
        case Kind::kScnetNotebook:
          if (status == "Creating" || status == "Restarting") {
            r.pending = {{"Running", options_.notebook_restarting}};
          }
          if (status == "Shutting") r.pending = {{"Terminated", options_.notebook_shutting}};
          if (status == "Running" && r.data["containerId"].is_null()) {
            r.data["containerId"] = Hex(64);
          }
          scnet_notebooks_.push_back(std::move(r));
          break;
        case Kind::kScnetInstance:
          if (status == "Waiting") {
            r.pending = {{"Deploying", options_.instance_waiting},
                         {"Running", options_.instance_deploying}};
          }
          if (status == "Deploying") r.pending = {{"Running", options_.instance_deploying}};
          if (status == "Running" && r.data["startTime"].is_null()) {
            r.data["startTime"] = r.data["createTime"];
          }
          instances_.push_back(std::move(r));
          break;
        case Kind::kTioneNotebook:
          if (status == "Submitting" || status == "Starting") {
            r.pending = {{"Running", options_.tione_starting}};
          }
          if (status == "Stopping") r.pending = {{"Stopped", options_.tione_stopping}};
          if (status == "Running") {
            if (r.data["StartTime"].is_null()) r.data["StartTime"] = r.data["CreateTime"];
            r.data["ChargeStatus"] = "BILLING";
          }
          tione_notebooks_.push_back(std::move(r));
          break;
      }
    }
  }
  return true;
}

// ---------------------------------------------------------------------------
// SCNet notebooks

ScnetReply World::ListNotebooks(const std::map<std::string, std::string>& query) {
  int64_t page = 1, size = 20;
  ScnetReply error;
  if (!QueryInt(query, "page", 1, 1, &page, &error)) return error;
  if (!QueryInt(query, "size", 20, 1, &size, &error)) return error;
  const std::string name = Query(query, "notebookName");
  const std::string status = Query(query, "notebookStatus");
  if (!status.empty() && !kNotebookStatuses.count(status)) {
    return Invalid("notebookStatus", "unknown status \"" + status +
                                         "\" (Creating, Restarting, Running, Terminated, "
                                         "Failed, Shutting)");
  }
  json matched = json::array();
  for (auto& r : scnet_notebooks_) {
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

ScnetReply World::StartNotebook(const json& body) {
  if (!body.contains("notebookId") || body["notebookId"].is_null()) return Missing("notebookId");
  if (!body["notebookId"].is_string() && !body["notebookId"].is_number_integer()) {
    return Invalid("notebookId", "must be a string");
  }
  const std::string id = body["notebookId"].is_string() ? body["notebookId"].get<std::string>()
                                                        : body["notebookId"].dump();
  Resource* r = FindScnetNotebook(id);
  if (!r) return Invalid("notebookId", "notebook " + id + " does not exist");
  Advance(*r);
  if (r->status != "Terminated" && r->status != "Failed") {
    return Invalid("notebookId", "notebook " + id + " is " + r->status +
                                     "; only Terminated or Failed notebooks can be started");
  }
  Begin(*r, "Restarting", {{"Running", options_.notebook_restarting}});
  return {ScnetEnvelope(scnet_code::kOk, "success", nullptr)};
}

ScnetReply World::StartNotebookService(const json& body) {
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
  Resource* r = FindScnetNotebook(id);
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

// ---------------------------------------------------------------------------
// SCNet container instances

ScnetReply World::CreateContainerInstance(const json& b) {
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

  Resource r{Kind::kScnetInstance, NewInstance(spec), "", {}, {}, next_seq_++};
  Begin(r, "Waiting",
        {{"Deploying", options_.instance_waiting}, {"Running", options_.instance_deploying}});
  const std::string id = r.data["id"];
  instances_.push_back(std::move(r));
  return {ScnetEnvelope(scnet_code::kOk, "success", id)};
}

json World::InstanceItem(Resource& r) {
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

ScnetReply World::ListContainerInstances(const std::map<std::string, std::string>& query) {
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
    return Invalid("status", "unknown status \"" + status +
                                 "\" (Running, Deploying, Waiting, Terminated, Failed, "
                                 "Completed)");
  }
  std::vector<Resource*> ordered;
  for (auto& r : instances_) ordered.push_back(&r);
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

ScnetReply World::GetContainerInstance(const std::string& id) {
  Resource* r = FindInstance(id);
  if (!r) return Invalid("id", "instance service " + id + " does not exist");
  Advance(*r);
  return {ScnetEnvelope(scnet_code::kOk, "success", r->data)};
}

ScnetReply World::RestartContainerInstance(const std::map<std::string, std::string>& query) {
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

// ---------------------------------------------------------------------------
// TI-ONE

bool World::IsTioneAction(const std::string& action) {
  return action == "DescribeNotebooks" || action == "DescribeNotebook" ||
         action == "CreateNotebook" || action == "StartNotebook" || action == "StopNotebook";
}

TioneReply World::Tione(const std::string& action, const json& params) {
  if (action == "DescribeNotebooks") return DescribeNotebooks(params);
  if (action == "DescribeNotebook") return DescribeNotebook(params);
  if (action == "CreateNotebook") return CreateNotebook(params);
  if (action == "StartNotebook") return StartTione(params);
  if (action == "StopNotebook") return StopTione(params);
  return TioneError("InvalidAction", "The action `" + action + "` is not supported.");
}

json World::TioneListItem(Resource& r) {
  Advance(r);
  json item = json::object();
  for (const char* key : {"Id",
                          "Name",
                          "ChargeType",
                          "ResourceConf",
                          "ResourceGroupId",
                          "VolumeSizeInGB",
                          "BillingInfos",
                          "Tags",
                          "CreateTime",
                          "StartTime",
                          "UpdateTime",
                          "RuntimeInSeconds",
                          "ChargeStatus",
                          "InstanceTypeAlias",
                          "Status",
                          "FailureReason",
                          "EndTime",
                          "PodName",
                          "VolumeSourceType",
                          "VolumeSourceCFS",
                          "DataConfigs",
                          "Message",
                          "ResourceGroupName",
                          "SubnetId",
                          "VpcId",
                          "AutoStopping",
                          "AutomaticStopTime",
                          "ImageType",
                          "ImageInfo"}) {
    item[key] = r.data.contains(key) ? r.data[key] : json();
  }
  item["UserTypes"] = json::array();
  item["SSHConfig"] = nullptr;
  return item;
}

namespace {

bool OptionalInt(const json& p, const char* key, int64_t fallback, int64_t* out, TioneReply* err) {
  if (!p.contains(key) || p[key].is_null()) {
    *out = fallback;
    return true;
  }
  if (!p[key].is_number_integer()) {
    *err = TioneInvalidType(key, "Integer");
    return false;
  }
  *out = p[key].get<int64_t>();
  return true;
}

bool RequireId(const json& p, std::string* id, TioneReply* err) {
  if (!p.contains("Id") || p["Id"].is_null()) {
    *err = TioneMissing("Id");
    return false;
  }
  if (!p["Id"].is_string()) {
    *err = TioneInvalidType("Id", "String");
    return false;
  }
  *id = p["Id"].get<std::string>();
  return true;
}

}  // namespace

TioneReply World::DescribeNotebooks(const json& p) {
  TioneReply err;
  int64_t offset = 0, limit = 10;
  if (!OptionalInt(p, "Offset", 0, &offset, &err)) return err;
  if (!OptionalInt(p, "Limit", 10, &limit, &err)) return err;
  if (offset < 0) return TioneInvalidValue("Offset", "must be >= 0");
  if (limit < 1 || limit > 100) return TioneInvalidValue("Limit", "must be between 1 and 100");
  std::string order = "DESC";
  if (p.contains("Order") && !p["Order"].is_null()) {
    if (!p["Order"].is_string()) return TioneInvalidType("Order", "String");
    order = p["Order"].get<std::string>();
    if (order != "ASC" && order != "DESC") return TioneInvalidValue("Order", "use ASC or DESC");
  }
  struct Filter {
    std::string name;
    std::vector<std::string> values;
    bool negative = false;
    bool fuzzy = false;
  };
  std::vector<Filter> filters;
  static const std::set<std::string> kFilterNames = {"Name", "Id", "Status", "ChargeType",
                                                     "ChargeStatus"};
  if (p.contains("Filters") && !p["Filters"].is_null()) {
    if (!p["Filters"].is_array()) return TioneInvalidType("Filters", "Array of Filter");
    for (size_t i = 0; i < p["Filters"].size(); ++i) {
      const json& f = p["Filters"][i];
      const std::string at = "Filters." + std::to_string(i);
      if (!f.is_object()) return TioneInvalidType(at, "Filter");
      if (!f.contains("Name") || !f["Name"].is_string()) return TioneMissing(at + ".Name");
      Filter filter{f["Name"].get<std::string>(), {}};
      if (!kFilterNames.count(filter.name)) {
        return TioneInvalidValue(at + ".Name", "`" + filter.name +
                                                   "` is not a supported filter (Name, Id, "
                                                   "Status, ChargeType, ChargeStatus)");
      }
      if (!f.contains("Values") || !f["Values"].is_array()) return TioneMissing(at + ".Values");
      for (const auto& v : f["Values"]) {
        if (!v.is_string()) return TioneInvalidType(at + ".Values", "Array of String");
        filter.values.push_back(v.get<std::string>());
      }
      if (f.contains("Negative") && f["Negative"].is_boolean()) filter.negative = f["Negative"];
      if (f.contains("Fuzzy") && f["Fuzzy"].is_boolean()) filter.fuzzy = f["Fuzzy"];
      filters.push_back(std::move(filter));
    }
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> tag_filters;
  if (p.contains("TagFilters") && !p["TagFilters"].is_null()) {
    if (!p["TagFilters"].is_array()) return TioneInvalidType("TagFilters", "Array of TagFilter");
    for (size_t i = 0; i < p["TagFilters"].size(); ++i) {
      const json& f = p["TagFilters"][i];
      const std::string at = "TagFilters." + std::to_string(i);
      if (!f.is_object() || !f.contains("TagKey") || !f["TagKey"].is_string()) {
        return TioneMissing(at + ".TagKey");
      }
      std::vector<std::string> values;
      if (f.contains("TagValues") && f["TagValues"].is_array()) {
        for (const auto& v : f["TagValues"]) {
          if (v.is_string()) values.push_back(v.get<std::string>());
        }
      }
      tag_filters.emplace_back(f["TagKey"].get<std::string>(), std::move(values));
    }
  }

  std::vector<Resource*> ordered;
  for (auto& r : tione_notebooks_) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [&](Resource* a, Resource* b) {
    return order == "DESC" ? a->seq > b->seq : a->seq < b->seq;
  });
  json matched = json::array();
  for (Resource* r : ordered) {
    json item = TioneListItem(*r);
    bool keep = true;
    for (const auto& f : filters) {
      const std::string field = Str(item[f.name]);
      bool hit = false;
      for (const auto& v : f.values) {
        if (f.fuzzy ? field.find(v) != std::string::npos : field == v) hit = true;
      }
      if (hit == f.negative) keep = false;
    }
    for (const auto& [key, values] : tag_filters) {
      bool hit = false;
      for (const auto& tag : item["Tags"]) {
        if (!tag.is_object() || Str(tag.value("TagKey", json())) != key) continue;
        const std::string value = Str(tag.value("TagValue", json()));
        if (values.empty() || std::find(values.begin(), values.end(), value) != values.end()) {
          hit = true;
        }
      }
      if (!hit) keep = false;
    }
    if (keep) matched.push_back(std::move(item));
  }
  json page = json::array();
  for (int64_t i = offset; i < static_cast<int64_t>(matched.size()) && i < offset + limit; ++i) {
    page.push_back(matched[i]);
  }
  TioneReply out;
  out.fields = {{"NotebookSet", page}, {"TotalCount", matched.size()}};
  return out;
}

TioneReply World::DescribeNotebook(const json& p) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  Resource* r = FindTione(id);
  if (!r) return TioneError("ResourceNotFound", "The notebook `" + id + "` does not exist.");
  Advance(*r);
  json detail = r->data;
  if (r->status == "Running" && detail["StartTime"].is_string()) {
    detail["RuntimeInSeconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow() - r->since).count();
  }
  TioneReply out;
  out.fields = {{"NotebookDetail", detail}};
  return out;
}

TioneReply World::CreateNotebook(const json& p) {
  for (const char* key : {"Name", "ChargeType", "ResourceConf", "LogEnable", "RootAccess",
                          "AutoStopping", "DirectInternetAccess"}) {
    if (!p.contains(key) || p[key].is_null()) return TioneMissing(key);
  }
  if (!p["Name"].is_string()) return TioneInvalidType("Name", "String");
  const std::string name = p["Name"].get<std::string>();
  if (name.empty() || name.size() > 60) {
    return TioneInvalidValue("Name",
                             "must be 1 to 60 characters, got " + std::to_string(name.size()));
  }
  if (!p["ChargeType"].is_string()) return TioneInvalidType("ChargeType", "String");
  if (p["ChargeType"] != "PREPAID" && p["ChargeType"] != "POSTPAID_BY_HOUR") {
    return TioneInvalidValue("ChargeType", "`" + p["ChargeType"].get<std::string>() +
                                               "` is not one of PREPAID, POSTPAID_BY_HOUR");
  }
  if (!p["ResourceConf"].is_object()) return TioneInvalidType("ResourceConf", "ResourceConf");
  for (const char* key : {"Cpu", "Memory", "Gpu"}) {
    const json& rc = p["ResourceConf"];
    if (rc.contains(key) && !rc[key].is_null() && !rc[key].is_number_integer()) {
      return TioneInvalidType(std::string("ResourceConf.") + key, "Integer");
    }
  }
  if (p["ChargeType"] == "POSTPAID_BY_HOUR" && (!p["ResourceConf"].contains("InstanceType") ||
                                                !p["ResourceConf"]["InstanceType"].is_string())) {
    return TioneMissing("ResourceConf.InstanceType");
  }
  if (p["ChargeType"] == "PREPAID" &&
      (!p.contains("ResourceGroupId") || !p["ResourceGroupId"].is_string())) {
    return TioneMissing("ResourceGroupId");
  }
  for (const char* key : {"LogEnable", "RootAccess", "AutoStopping", "DirectInternetAccess"}) {
    if (!p[key].is_boolean()) return TioneInvalidType(key, "Boolean");
  }
  if (p.contains("VolumeSourceType") && !p["VolumeSourceType"].is_null()) {
    static const std::set<std::string> kVolumeTypes = {"FREE", "CLOUD_PREMIUM", "CLOUD_SSD",
                                                       "CFS",  "CFS_TURBO",     "GooseFSx"};
    if (!p["VolumeSourceType"].is_string() || !kVolumeTypes.count(p["VolumeSourceType"])) {
      return TioneInvalidValue("VolumeSourceType",
                               "use one of FREE, CLOUD_PREMIUM, CLOUD_SSD, CFS, CFS_TURBO, "
                               "GooseFSx");
    }
  }
  if (p.contains("VolumeSizeInGB") && !p["VolumeSizeInGB"].is_null() &&
      !p["VolumeSizeInGB"].is_number_integer()) {
    return TioneInvalidType("VolumeSizeInGB", "Integer");
  }
  if (p.contains("Tags") && !p["Tags"].is_null()) {
    if (!p["Tags"].is_array()) return TioneInvalidType("Tags", "Array of Tag");
    for (size_t i = 0; i < p["Tags"].size(); ++i) {
      const json& t = p["Tags"][i];
      if (!t.is_object() || !t.contains("TagKey") || !t["TagKey"].is_string()) {
        return TioneMissing("Tags." + std::to_string(i) + ".TagKey");
      }
      if (t.contains("TagValue") && !t["TagValue"].is_null() && !t["TagValue"].is_string()) {
        return TioneInvalidType("Tags." + std::to_string(i) + ".TagValue", "String");
      }
    }
  }
  for (auto& r : tione_notebooks_) {
    if (Str(r.data["Name"]) == name) {
      return TioneError("ResourceInUse", "A notebook named `" + name + "` already exists (" +
                                             Str(r.data["Id"]) + "); names must be unique.");
    }
  }
  json given = json::object();
  for (const char* key : {"Name",
                          "ChargeType",
                          "ResourceConf",
                          "ResourceGroupId",
                          "VpcId",
                          "SubnetId",
                          "VolumeSourceType",
                          "VolumeSizeInGB",
                          "VolumeSourceCFS",
                          "LogConfig",
                          "LifecycleScriptId",
                          "DefaultCodeRepoId",
                          "AdditionalCodeRepoIds",
                          "AutomaticStopTime",
                          "Tags",
                          "DataConfigs",
                          "ImageInfo",
                          "ImageType",
                          "LogEnable",
                          "RootAccess",
                          "AutoStopping",
                          "DirectInternetAccess"}) {
    if (p.contains(key) && !p[key].is_null()) given[key] = p[key];
  }
  if (p.contains("ImageInfo") && p["ImageInfo"].is_object() && !p.contains("ImageType") &&
      p["ImageInfo"].contains("ImageType")) {
    given["ImageType"] = p["ImageInfo"]["ImageType"];
  }
  given["Status"] = "Submitting";
  Resource r{Kind::kTioneNotebook, NewTioneNotebook(given), "", {}, {}, next_seq_++};
  const auto half = options_.tione_starting / 2;
  Begin(r, "Submitting", {{"Starting", half}, {"Running", options_.tione_starting - half}});
  TioneReply out;
  out.fields = {{"Id", r.data["Id"]}};
  tione_notebooks_.push_back(std::move(r));
  return out;
}

// Moves the notebook `p.Id` into `to` (then on to `pending`), when its status is
// one of `from`; otherwise the cloud's FailedOperation naming what is allowed.
TioneReply World::TransitionTione(const json& p, const std::vector<std::string>& from,
                                  const std::string& verb, const std::string& to,
                                  std::vector<Step> pending) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  Resource* r = FindTione(id);
  if (!r) return TioneError("ResourceNotFound", "The notebook `" + id + "` does not exist.");
  Advance(*r);
  if (std::find(from.begin(), from.end(), r->status) == from.end()) {
    std::string allowed;
    for (size_t i = 0; i < from.size(); ++i) {
      allowed += (i == 0 ? "" : i + 1 == from.size() ? " or " : ", ") + from[i];
    }
    return TioneError("FailedOperation", "The notebook `" + id + "` is " + r->status +
                                             "; only " + allowed + " notebooks can be " + verb +
                                             ".");
  }
  Begin(*r, to, std::move(pending));
  return {};
}

TioneReply World::StartTione(const json& p) {
  return TransitionTione(p, {"Stopped", "Failed", "SubmitFailed"}, "started", "Starting",
                         {{"Running", options_.tione_starting}});
}

TioneReply World::StopTione(const json& p) {
  return TransitionTione(p, {"Running", "Starting", "Submitting"}, "stopped", "Stopping",
                         {{"Stopped", options_.tione_stopping}});
}

// ---------------------------------------------------------------------------
// Admin

bool World::ForceState(const json& req, std::string* error) {
  if (!req.is_object()) {
    *error = "state request must be a JSON object {cloud, kind, name|id, status}";
    return false;
  }
  const std::string cloud = Str(req.value("cloud", json()));
  std::string kind = Str(req.value("kind", json()));
  const std::string name = Str(req.value("name", json()));
  const std::string id = Str(req.value("id", json()));
  const std::string status = Str(req.value("status", json()));
  if (cloud == "tione" && kind.empty()) kind = "notebook";
  std::vector<Resource>* list = nullptr;
  const std::set<std::string>* statuses = nullptr;
  const char* name_key = nullptr;
  const char* id_key = "id";
  if (cloud == "scnet" && kind == "notebook") {
    list = &scnet_notebooks_, statuses = &kNotebookStatuses, name_key = "notebookName";
  } else if (cloud == "scnet" && kind == "instance") {
    list = &instances_, statuses = &kInstanceStatuses, name_key = "instanceServiceName";
  } else if (cloud == "tione" && kind == "notebook") {
    list = &tione_notebooks_, statuses = &kTioneStatuses, name_key = "Name", id_key = "Id";
  } else {
    *error =
        "state request needs cloud \"scnet\" with kind \"notebook\" or \"instance\", or "
        "cloud \"tione\" with kind \"notebook\"";
    return false;
  }
  if (!statuses->count(status)) {
    std::string known;
    for (const auto& s : *statuses) known += (known.empty() ? "" : ", ") + s;
    *error = "unknown status \"" + status + "\" for " + cloud + " " + kind + " (" + known + ")";
    return false;
  }
  if (name.empty() && id.empty()) {
    *error = "state request needs \"name\" or \"id\"";
    return false;
  }
  int matched = 0;
  for (auto& r : *list) {
    if (!id.empty() ? Str(r.data[id_key]) != id : Str(r.data[name_key]) != name) continue;
    Advance(r);
    r.pending.clear();
    Enter(r, status, clock_.WallNow());
    ++matched;
  }
  if (matched == 0) {
    *error = "no " + cloud + " " + kind + " with " +
             (id.empty() ? "name \"" + name : "id \"" + id) + "\"";
    return false;
  }
  return true;
}

json World::ListInstances() {
  json out = json::array();
  for (auto& r : instances_) out.push_back(InstanceItem(r));
  return out;
}

json World::State() {
  json notebooks = json::array();
  for (auto& r : scnet_notebooks_) {
    Advance(r);
    notebooks.push_back(r.data);
  }
  json instances = json::array();
  for (auto& r : instances_) {
    Advance(r);
    instances.push_back(r.data);
  }
  json tione = json::array();
  for (auto& r : tione_notebooks_) {
    Advance(r);
    tione.push_back(r.data);
  }
  return {{"scnet", {{"notebooks", notebooks}, {"instances", instances}}},
          {"tione", {{"notebooks", tione}}}};
}

}  // namespace converge::sim

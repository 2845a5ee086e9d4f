#include "sim/tione_world.h"

#include <algorithm>
#include <set>

namespace converge::sim {

namespace {

const std::set<std::string> kTioneStatuses = {"Submitting", "Starting", "Running",     "Stopping",
                                              "Stopped",    "Failed",   "SubmitFailed"};

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

TioneReply TioneError(const std::string& code, const std::string& message) {
  TioneReply r;
  r.error_code = code;
  r.error_message = message;
  return r;
}

std::string TioneTime(WallTime t) { return FormatUtc8(t, "%Y-%m-%dT%H:%M:%S+08"); }

TioneWorld::TioneWorld(const SimOptions& options, Clock& clock, Random& random)
    : CloudWorld(options, clock, random),
      notebooks_{Kind::kTioneNotebook,
                 "tione",
                 "notebook",
                 "tione.notebooks",
                 "Id",
                 "Name",
                 "Status",
                 kTioneStatuses,
                 "Submitting, Starting, Running, Stopping, Stopped, Failed, SubmitFailed",
                 {}} {}

// ---------------------------------------------------------------------------
// Lifecycles

void TioneWorld::Enter(Resource& r, const std::string& status, WallTime at) {
  r.status = status;
  r.since = at;
  json& d = r.data;
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
}

void TioneWorld::Resume(Resource& r) {
  const std::string& status = r.status;
  if (status == "Submitting" || status == "Starting") {
    r.pending = {{"Running", options_.tione_starting}};
  }
  if (status == "Stopping") r.pending = {{"Stopped", options_.tione_stopping}};
  if (status == "Running") {
    if (r.data["StartTime"].is_null()) r.data["StartTime"] = r.data["CreateTime"];
    r.data["ChargeStatus"] = "BILLING";
  }
}

Resource* TioneWorld::Find(const std::string& id) {
  for (auto& r : notebooks_.items) {
    if (Str(r.data["Id"]) == id) return &r;
  }
  return nullptr;
}

// ---------------------------------------------------------------------------
// Records

json TioneWorld::NewRecord(const Table&, const json& given) {
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
// Actions

bool TioneWorld::IsAction(const std::string& action) {
  return action == "DescribeNotebooks" || action == "DescribeNotebook" ||
         action == "CreateNotebook" || action == "StartNotebook" || action == "StopNotebook" ||
         action == "DeleteNotebook" || action == "ModifyNotebook";
}

TioneReply TioneWorld::Call(const std::string& action, const json& params) {
  if (action == "DescribeNotebooks") return DescribeNotebooks(params);
  if (action == "DescribeNotebook") return DescribeNotebook(params);
  if (action == "CreateNotebook") return CreateNotebook(params);
  if (action == "StartNotebook") return StartNotebook(params);
  if (action == "StopNotebook") return StopNotebook(params);
  if (action == "DeleteNotebook") return DeleteNotebook(params);
  if (action == "ModifyNotebook") return ModifyNotebook(params);
  return TioneError("InvalidAction", "The action `" + action + "` is not supported.");
}

json TioneWorld::ListItem(Resource& r) {
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

TioneReply TioneWorld::DescribeNotebooks(const json& p) {
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
  for (auto& r : notebooks_.items) ordered.push_back(&r);
  std::stable_sort(ordered.begin(), ordered.end(), [&](Resource* a, Resource* b) {
    return order == "DESC" ? a->seq > b->seq : a->seq < b->seq;
  });
  json matched = json::array();
  for (Resource* r : ordered) {
    json item = ListItem(*r);
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

TioneReply TioneWorld::DescribeNotebook(const json& p) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  Resource* r = Find(id);
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

TioneReply TioneWorld::CreateNotebook(const json& p) {
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
  for (auto& r : notebooks_.items) {
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
  Resource r = NewResource(Kind::kTioneNotebook, NewRecord(notebooks_, given));
  const auto half = options_.tione_starting / 2;
  Begin(r, "Submitting", {{"Starting", half}, {"Running", options_.tione_starting - half}});
  TioneReply out;
  out.fields = {{"Id", r.data["Id"]}};
  notebooks_.items.push_back(std::move(r));
  return out;
}

// Moves the notebook `p.Id` into `to` (then on to `pending`), when its status is
// one of `from`; otherwise the cloud's FailedOperation naming what is allowed.
TioneReply TioneWorld::Transition(const json& p, const std::vector<std::string>& from,
                                  const std::string& verb, const std::string& to,
                                  std::vector<Step> pending) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  Resource* r = Find(id);
  if (!r) return TioneError("ResourceNotFound", "The notebook `" + id + "` does not exist.");
  Advance(*r);
  if (std::find(from.begin(), from.end(), r->status) == from.end()) {
    std::string allowed;
    for (size_t i = 0; i < from.size(); ++i) {
      allowed += (i == 0 ? "" : i + 1 == from.size() ? " or " : ", ") + from[i];
    }
    return TioneError("FailedOperation", "The notebook `" + id + "` is " + r->status + "; only " +
                                             allowed + " notebooks can be " + verb + ".");
  }
  Begin(*r, to, std::move(pending));
  return {};
}

TioneReply TioneWorld::StartNotebook(const json& p) {
  return Transition(p, {"Stopped", "Failed", "SubmitFailed"}, "started", "Starting",
                    {{"Running", options_.tione_starting}});
}

TioneReply TioneWorld::StopNotebook(const json& p) {
  return Transition(p, {"Running", "Starting", "Submitting"}, "stopped", "Stopping",
                    {{"Stopped", options_.tione_stopping}});
}

namespace {

const std::vector<std::string> kNotRunning = {"Stopped", "Failed", "SubmitFailed"};

// FailedOperation unless `r` is not running (Stopped, Failed, SubmitFailed).
bool RequireStatus(const Resource& r, const std::string& id, const std::string& verb,
                   TioneReply* err) {
  if (std::find(kNotRunning.begin(), kNotRunning.end(), r.status) != kNotRunning.end()) {
    return true;
  }
  *err = TioneError("FailedOperation", "The notebook `" + id + "` is " + r.status +
                                           "; only Stopped, Failed or SubmitFailed notebooks "
                                           "can be " +
                                           verb + "; stop it first.");
  return false;
}

}  // namespace

TioneReply TioneWorld::DeleteNotebook(const json& p) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  Resource* r = Find(id);
  if (!r) return TioneError("ResourceNotFound", "The notebook `" + id + "` does not exist.");
  Advance(*r);
  if (!RequireStatus(*r, id, "deleted", &err)) return err;
  std::erase_if(notebooks_.items, [&](const Resource& n) { return Str(n.data["Id"]) == id; });
  return {};
}

TioneReply TioneWorld::ModifyNotebook(const json& p) {
  TioneReply err;
  std::string id;
  if (!RequireId(p, &id, &err)) return err;
  for (const char* key :
       {"ChargeType", "VpcId", "SubnetId", "VolumeSourceType", "VolumeSourceCFS"}) {
    if (p.contains(key)) {
      return TioneError("UnknownParameter", "The parameter `" + std::string(key) +
                                                "` is not recognized: ModifyNotebook cannot "
                                                "change it.");
    }
  }
  for (const char* key : {"Name", "ResourceConf", "AutoStopping", "DirectInternetAccess",
                          "RootAccess", "LogEnable"}) {
    if (!p.contains(key) || p[key].is_null()) return TioneMissing(key);
  }
  if (!p["Name"].is_string()) return TioneInvalidType("Name", "String");
  if (!p["ResourceConf"].is_object()) return TioneInvalidType("ResourceConf", "ResourceConf");
  for (const char* key : {"LogEnable", "RootAccess", "AutoStopping", "DirectInternetAccess"}) {
    if (!p[key].is_boolean()) return TioneInvalidType(key, "Boolean");
  }
  Resource* r = Find(id);
  if (!r) return TioneError("ResourceNotFound", "The notebook `" + id + "` does not exist.");
  Advance(*r);
  if (!RequireStatus(*r, id, "modified", &err)) return err;
  const std::string name = p["Name"].get<std::string>();
  for (auto& other : notebooks_.items) {
    if (&other != r && Str(other.data["Name"]) == name) {
      return TioneError("ResourceInUse", "A notebook named `" + name + "` already exists (" +
                                             Str(other.data["Id"]) + "); names must be unique.");
    }
  }
  if (p.contains("VolumeSizeInGB") && !p["VolumeSizeInGB"].is_null()) {
    if (!p["VolumeSizeInGB"].is_number_integer()) {
      return TioneInvalidType("VolumeSizeInGB", "Integer");
    }
    int64_t current = 0;
    JsonInt(r->data["VolumeSizeInGB"], &current);
    if (p["VolumeSizeInGB"].get<int64_t>() < current) {
      return TioneError("InvalidParameterValue.VolumeShrinkNotAllow",
                        "The volume of notebook `" + id + "` cannot shrink (" +
                            std::to_string(current) + " GB to " +
                            std::to_string(p["VolumeSizeInGB"].get<int64_t>()) + " GB).");
    }
  }
  json& d = r->data;
  for (const auto& [key, value] : p.items()) {
    if (key == "Id" || value.is_null()) continue;
    if (key == "ResourceConf") {
      for (const auto& [rk, rv] : value.items()) d["ResourceConf"][rk] = rv;
    } else {
      d[key] = value;
    }
  }
  if (p.contains("ImageInfo") && p["ImageInfo"].is_object() &&
      p["ImageInfo"].contains("ImageType")) {
    d["ImageType"] = p["ImageInfo"]["ImageType"];
  }
  const json& rc = d["ResourceConf"];
  if (rc["Cpu"].is_number() && rc["Memory"].is_number()) {
    d["InstanceTypeAlias"] = std::to_string(rc["Cpu"].get<int64_t>() / 1000) + "C" +
                             std::to_string(rc["Memory"].get<int64_t>() / 1000) + "G";
  }
  d["UpdateTime"] = TioneTime(clock_.WallNow());
  return {};
}

}  // namespace converge::sim

#include "sim/tione_world.h"

#include <algorithm>
#include <set>

#include "sim/tione_world_detail.h"

namespace converge::sim {

using namespace tione_detail;

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

Resource* TioneWorld::FindAndAdvance(const json& p, std::string* id, TioneReply* err) {
  if (!RequireId(p, id, err)) return nullptr;
  Resource* r = Find(*id);
  if (!r) {
    *err = TioneError("ResourceNotFound", "The notebook `" + *id + "` does not exist.");
    return nullptr;
  }
  Advance(*r);
  return r;
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
  Resource* r = FindAndAdvance(p, &id, &err);
  if (!r) return err;
  json detail = r->data;
  if (r->status == "Running" && detail["StartTime"].is_string()) {
    detail["RuntimeInSeconds"] =
        std::chrono::duration_cast<std::chrono::seconds>(clock_.WallNow() - r->since).count();
  }
  TioneReply out;
  out.fields = {{"NotebookDetail", detail}};
  return out;
}

}  // namespace converge::sim

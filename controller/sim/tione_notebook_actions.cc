// TioneWorld's notebook actions: create, start, stop, delete and modify.
#include "sim/tione_world.h"

#include <algorithm>
#include <set>

#include "sim/tione_world_detail.h"

namespace converge::sim {

using namespace tione_detail;

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
  Resource* r = FindAndAdvance(p, &id, &err);
  if (!r) return err;
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
  Resource* r = FindAndAdvance(p, &id, &err);
  if (!r) return err;
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

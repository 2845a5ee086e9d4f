#include "cloud/tione/tione_api.h"

#include <cctype>

#include "cloud/http/json_fields.h"
#include "cloud/tione/tc3_signer.h"

namespace converge::cloud::tione {
namespace {

using http::Field;
using http::ProtocolError;
using http::ScalarText;
using http::TextOr;
using nlohmann::json;

bool StartsWith(std::string_view text, std::string_view prefix) {
  return text.substr(0, prefix.size()) == prefix;
}

std::string Dump(const nlohmann::ordered_json& body) {
  return body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

void PutAttribute(Observed& out, std::string key, const json* value) {
  if (std::optional<std::string> text = ScalarText(value))
    out.attributes.emplace(std::move(key), std::move(*text));
}

}  // namespace

std::string ServiceForHost(const std::string& host) {
  if (host.empty() || host == "localhost" || host.find(':') != std::string::npos) return "tione";
  bool all_numeric = true;
  for (unsigned char c : host) {
    if (!std::isdigit(c) && c != '.') all_numeric = false;
  }
  if (all_numeric) return "tione";
  return host.substr(0, host.find('.'));
}

http::HttpRequest SignedRequest(const std::string& action, const std::string& body,
                                const std::string& host_header, const std::string& host,
                                const Credentials& credentials, int64_t timestamp) {
  Tc3Input in;
  in.secret_id = credentials.secret_id;
  in.secret_key = credentials.secret_key;
  in.host = host_header;
  in.service = ServiceForHost(host);
  in.action = action;
  in.content_type = kContentType;
  in.payload = body;
  in.timestamp = timestamp;
  const Tc3Signature signature = SignTc3(in);

  http::HttpRequest request;
  request.method = "POST";
  request.target = "/";
  request.body = body;
  request.content_type = kContentType;
  request.headers = {
      {"X-TC-Action", action},
      {"X-TC-Version", kApiVersion},
      {"X-TC-Timestamp", std::to_string(timestamp)},
      {"X-TC-Region", credentials.region},
      {"Authorization", signature.authorization},
  };
  if (!credentials.session_token.empty()) {
    request.headers.emplace_back("X-TC-Token", credentials.session_token);
  }
  return request;
}

Error ErrorForCode(const std::string& code, const std::string& message, int http_status,
                   const std::string& request_id) {
  Error e;
  e.code = code;
  e.http_status = http_status;
  e.request_id = request_id;
  e.message = message.empty() ? "TI-ONE refused the call with code " + code : message;
  if (StartsWith(code, "RequestLimitExceeded")) {
    e.category = Error::Category::kRateLimited;
    e.retryable = true;
  } else if (StartsWith(code, "InternalError")) {
    e.category = Error::Category::kServer;
    e.retryable = true;
  } else if (StartsWith(code, "AuthFailure") || StartsWith(code, "UnauthorizedOperation")) {
    e.category = Error::Category::kAuth;
    e.message += "; check the provider's SecretId/SecretKey, its permissions and this host's clock";
  } else if (StartsWith(code, "InvalidParameter") || StartsWith(code, "MissingParameter") ||
             StartsWith(code, "UnknownParameter")) {
    e.category = Error::Category::kInvalid;
  } else if (StartsWith(code, "ResourceNotFound")) {
    e.category = Error::Category::kNotFound;
  } else {
    e.category = Error::Category::kRejected;
  }
  return e;
}

http::Interpretation InterpretResponse(const http::HttpResponse& response) {
  http::Interpretation out;
  const bool ok_status = response.status >= 200 && response.status <= 299;
  std::optional<json> body = http::ParseJson(response.body);
  const json* resp = body ? Field(*body, "Response") : nullptr;
  if (resp == nullptr || !resp->is_object()) {
    out.value =
        std::unexpected(http::MissingEnvelope(response.status, "TI-ONE", "{\"Response\": ...}"));
    return out;
  }
  const std::string request_id = TextOr(*resp, "RequestId");
  if (const json* error = Field(*resp, "Error")) {
    const std::string code = TextOr(*error, "Code");
    if (code.empty()) {
      Error e = ProtocolError("TI-ONE answered an Error without a Code");
      e.http_status = response.status;
      e.request_id = request_id;
      out.value = std::unexpected(std::move(e));
      return out;
    }
    out.code = code;
    out.value =
        std::unexpected(ErrorForCode(code, TextOr(*error, "Message"), response.status, request_id));
    return out;
  }
  if (!ok_status) {
    Error e = http::ErrorForHttpStatus(response.status, "TI-ONE");
    e.request_id = request_id;
    out.value = std::unexpected(std::move(e));
    return out;
  }
  out.code = "0";
  out.value = std::move(const_cast<json&>(*resp));  // moved, not copied: most of the answer
  return out;
}

Observed ParseNotebook(const json& item) {
  Observed o;
  o.kind = ResourceKind::kTiOneNotebook;
  o.id = TextOr(item, "Id");
  o.name = TextOr(item, "Name");
  o.status = TextOr(item, "Status");
  o.message = TextOr(item, "FailureReason");
  if (o.message.empty() && (o.status == "Failed" || o.status == "SubmitFailed")) {
    o.message = TextOr(item, "Message");
  }
  if (const json* tags = Field(item, "Tags"); tags != nullptr && tags->is_array()) {
    for (const json& tag : *tags) {
      const std::string key = TextOr(tag, "TagKey");
      if (!key.empty()) o.tags[key] = TextOr(tag, "TagValue");
    }
  }
  PutAttribute(o, "ChargeType", Field(item, "ChargeType"));
  if (const json* conf = Field(item, "ResourceConf")) {
    for (const char* key : {"InstanceType", "Cpu", "Memory", "Gpu"}) {
      PutAttribute(o, std::string("ResourceConf.") + key, Field(*conf, key));
    }
  }
  if (const json* image = Field(item, "ImageInfo")) {
    PutAttribute(o, "ImageInfo.ImageUrl", Field(*image, "ImageUrl"));
  }
  PutAttribute(o, "VolumeSizeInGB", Field(item, "VolumeSizeInGB"));
  PutAttribute(o, "VolumeSourceType", Field(item, "VolumeSourceType"));
  return o;
}

Result<http::ListPage> ParseNotebookSet(const json& response) {
  http::ListPage page;
  const json* set = Field(response, "NotebookSet");
  page.total = http::IntegerOf(Field(response, "TotalCount"));
  if (set == nullptr) {
    if (page.total && *page.total == 0) return page;
    return std::unexpected(ProtocolError("TI-ONE DescribeNotebooks answer has no NotebookSet"));
  }
  if (!set->is_array()) {
    return std::unexpected(ProtocolError("TI-ONE DescribeNotebooks NotebookSet is not a list"));
  }
  for (const json& item : *set) {
    Observed o = ParseNotebook(item);
    if (o.id.empty() || o.name.empty()) {
      return std::unexpected(ProtocolError(
          "TI-ONE DescribeNotebooks lists a notebook without Id or Name; the answer cannot be "
          "trusted, so nothing is assumed absent"));
    }
    page.items.push_back(std::move(o));
  }
  return page;
}

Result<Observed> ParseNotebookDetail(const json& response) {
  const json* detail = Field(response, "NotebookDetail");
  if (detail == nullptr || !detail->is_object()) {
    return std::unexpected(ProtocolError("TI-ONE DescribeNotebook answer has no NotebookDetail"));
  }
  return ParseNotebook(*detail);
}

Result<std::string> ParseCreatedId(const json& response) {
  std::string id = TextOr(response, "Id");
  if (id.empty()) {
    return std::unexpected(
        ProtocolError("TI-ONE accepted CreateNotebook but its answer holds no Id"));
  }
  return id;
}

std::string DescribeNotebooksBody(int64_t offset, int64_t limit, const std::string& name) {
  nlohmann::ordered_json body;
  body["Offset"] = offset;
  body["Limit"] = limit;
  if (!name.empty()) {
    body["Filters"] = nlohmann::ordered_json::array(
        {{{"Name", "Name"}, {"Values", nlohmann::ordered_json::array({name})}}});
  }
  return Dump(body);
}

std::string IdBody(const std::string& id) {
  nlohmann::ordered_json body;
  body["Id"] = id;
  return Dump(body);
}

namespace {

// The fields CreateNotebook and ModifyNotebook share, in the API's order.
void SharedNotebookFields(const TiOneNotebookCreate& req, nlohmann::ordered_json& body,
                          bool create) {
  body["Name"] = req.name;
  if (create) body["ChargeType"] = req.charge_type;
  nlohmann::ordered_json conf;
  conf["Cpu"] = req.cpu;
  conf["Memory"] = req.memory;
  conf["Gpu"] = req.gpu;
  if (!req.gpu_type.empty()) conf["GpuType"] = req.gpu_type;
  if (!req.instance_type.empty()) conf["InstanceType"] = req.instance_type;
  body["ResourceConf"] = conf;
  body["LogEnable"] = req.log_enable;
  body["RootAccess"] = req.root_access;
  body["AutoStopping"] = req.auto_stopping;
  body["DirectInternetAccess"] = req.direct_internet_access;
  if (!req.resource_group_id.empty()) body["ResourceGroupId"] = req.resource_group_id;
  if (create && !req.vpc_id.empty()) body["VpcId"] = req.vpc_id;
  if (create && !req.subnet_id.empty()) body["SubnetId"] = req.subnet_id;
  if (create && !req.volume_source_type.empty()) {
    body["VolumeSourceType"] = req.volume_source_type;
  }
  if (req.volume_size_gb > 0) body["VolumeSizeInGB"] = req.volume_size_gb;
  if (req.automatic_stop_time > 0) body["AutomaticStopTime"] = req.automatic_stop_time;
  if (!req.tags.empty()) {
    body["Tags"] = nlohmann::ordered_json::array();
    for (const auto& [key, value] : req.tags) {
      body["Tags"].push_back({{"TagKey", key}, {"TagValue", value}});
    }
  }
  if (!req.image_type.empty() || !req.image_url.empty()) {
    nlohmann::ordered_json image;
    if (!req.image_type.empty()) image["ImageType"] = req.image_type;
    if (!req.image_url.empty()) image["ImageUrl"] = req.image_url;
    if (!req.registry_region.empty()) image["RegistryRegion"] = req.registry_region;
    if (!req.registry_id.empty()) image["RegistryId"] = req.registry_id;
    body["ImageInfo"] = image;
  }
  if (!req.image_type.empty()) body["ImageType"] = req.image_type;
}

}  // namespace

std::string CreateNotebookBody(const TiOneNotebookCreate& req) {
  nlohmann::ordered_json body;
  SharedNotebookFields(req, body, true);
  return Dump(body);
}

std::string ModifyNotebookBody(const std::string& id, const TiOneNotebookCreate& req) {
  nlohmann::ordered_json body;
  body["Id"] = id;
  SharedNotebookFields(req, body, false);
  return Dump(body);
}

}  // namespace converge::cloud::tione

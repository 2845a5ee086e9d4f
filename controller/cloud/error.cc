#include "cloud/error.h"

#include "base/redact.h"
#include "cloud/provider.h"

namespace converge::cloud {

std::string Error::ToString() const {
  std::string out = operation.empty() ? std::string("cloud call") : operation;
  if (!provider.empty()) out += " on " + provider;
  out += ": ";
  out += message.empty() ? std::string(CategoryName(category)) + " error" : message;
  std::string details;
  auto add = [&details](const std::string& part) {
    details += details.empty() ? "" : ", ";
    details += part;
  };
  if (!code.empty()) add("code " + code);
  if (http_status != 0) add("HTTP " + std::to_string(http_status));
  if (!request_id.empty()) add("RequestId " + request_id);
  if (!details.empty()) out += " (" + details + ")";
  return Redact(out);
}

std::string_view CategoryName(Error::Category c) {
  switch (c) {
    case Error::Category::kTransport:
      return "transport";
    case Error::Category::kRateLimited:
      return "rate_limited";
    case Error::Category::kServer:
      return "server";
    case Error::Category::kAuth:
      return "auth";
    case Error::Category::kInvalid:
      return "invalid";
    case Error::Category::kNotFound:
      return "not_found";
    case Error::Category::kRejected:
      return "rejected";
    case Error::Category::kProtocol:
      return "protocol";
  }
  return "unknown";
}

std::string_view ResourceKindName(ResourceKind k) {
  switch (k) {
    case ResourceKind::kContainerInstance:
      return "ContainerInstance";
    case ResourceKind::kNotebook:
      return "Notebook";
    case ResourceKind::kTiOneNotebook:
      return "TiOneNotebook";
  }
  return "Unknown";
}

}  // namespace converge::cloud

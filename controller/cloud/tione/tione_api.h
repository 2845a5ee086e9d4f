// TI-ONE wire format (README "Cloud clients"; examples in tests/fixtures/seeds/
// 002): actions, request bodies, the
// TC3-signed request and the parsing of answers. Pure functions; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "cloud/error.h"
#include "cloud/http/api_caller.h"
#include "cloud/http/paging.h"
#include "cloud/provider.h"

namespace converge::cloud::tione {

// Operation names = X-TC-Action values.
inline constexpr char kDescribeNotebooks[] = "DescribeNotebooks";
inline constexpr char kDescribeNotebook[] = "DescribeNotebook";
inline constexpr char kCreateNotebook[] = "CreateNotebook";
inline constexpr char kStartNotebook[] = "StartNotebook";
inline constexpr char kStopNotebook[] = "StopNotebook";
inline constexpr char kDeleteNotebook[] = "DeleteNotebook";
inline constexpr char kModifyNotebook[] = "ModifyNotebook";
inline constexpr char kApiVersion[] = "2021-11-11";
inline constexpr char kContentType[] = "application/json";

// The TC3 service name for an endpoint host: its first DNS label
// ("tione.tencentcloudapi.com" -> "tione"); "tione" for an IP address or localhost.
std::string ServiceForHost(const std::string& host);

struct Credentials {
  std::string secret_id;
  std::string secret_key;
  std::string region;
  std::string session_token;  // temporary credentials (CAM role, STS); "" for none
};

// The signed POST / request for one action: Host (as sent, with any port),
// Content-Type, X-TC-Action, X-TC-Version, X-TC-Timestamp, X-TC-Region,
// Authorization (TC3-HMAC-SHA256 over content-type;host), and X-TC-Token when
// the credentials have a session token (sent, not signed).
http::HttpRequest SignedRequest(const std::string& action, const std::string& body,
                                const std::string& host_header, const std::string& host,
                                const Credentials& credentials, int64_t timestamp);

// Maps an error code: RequestLimitExceeded* kRateLimited and InternalError*
// kServer (both retryable); AuthFailure*/UnauthorizedOperation* kAuth;
// InvalidParameter*/MissingParameter*/UnknownParameter* kInvalid;
// ResourceNotFound* kNotFound; anything else (OperationDenied.*, FailedOperation.*,
// LimitExceeded.*, ResourceInsufficient.*) kRejected.
Error ErrorForCode(const std::string& code, const std::string& message, int http_status,
                   const std::string& request_id);

// One answer: the `Response` object on success, the Error of Response.Error
// (with RequestId), or an Error by HTTP status / kProtocol.
http::Interpretation InterpretResponse(const http::HttpResponse& response);

// DescribeNotebooks Response: NotebookSet[] and TotalCount (the page's total).
// kProtocol when NotebookSet is missing or an item lacks Id or Name.
Result<http::ListPage> ParseNotebookSet(const nlohmann::json& response);
// One NotebookSet item or NotebookDetail.
Observed ParseNotebook(const nlohmann::json& item);
// DescribeNotebook Response: its NotebookDetail. kProtocol when missing.
Result<Observed> ParseNotebookDetail(const nlohmann::json& response);
// CreateNotebook Response: its Id. kProtocol when missing.
Result<std::string> ParseCreatedId(const nlohmann::json& response);

// DescribeNotebooks request body; `name` non-empty adds Filters [{Name: "Name", Values: [name]}].
std::string DescribeNotebooksBody(int64_t offset, int64_t limit, const std::string& name);
std::string IdBody(const std::string& id);
// CreateNotebook body with every field of `req`; optional strings and zero
// optional numbers are left out.
std::string CreateNotebookBody(const TiOneNotebookCreate& req);
// ModifyNotebook: Id plus the create request's modifiable fields (never
// ChargeType, VpcId, SubnetId, VolumeSourceType).
std::string ModifyNotebookBody(const std::string& id, const TiOneNotebookCreate& req);

}  // namespace converge::cloud::tione

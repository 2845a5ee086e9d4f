// TI-ONE over HTTP: TC3-HMAC-SHA256 verification, the common request headers,
// rate limit and fault injection in front of the simulated TI-ONE (tione_world.h).
#include <cstdlib>
#include <set>
#include <sstream>

#include "cloud/tione/tc3_signer.h"
#include "sim/simulator_impl.h"
#include "sim/tione_world.h"

namespace converge::sim {

namespace {

// Constant-time comparison of equal-length strings.
bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
}

std::string Uuid(Random& random) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 32; ++i) {
    if (i == 8 || i == 12 || i == 16 || i == 20) s.push_back('-');
    s.push_back(kHex[random.Next() % 16]);
  }
  return s;
}

json TioneEnvelope(const TioneReply& reply, const std::string& request_id) {
  json response = reply.ok() ? reply.fields : json::object();
  if (!reply.ok()) {
    response["Error"] = {{"Code", reply.error_code}, {"Message", reply.error_message}};
  }
  response["RequestId"] = request_id;
  return {{"Response", response}};
}

// "host:port" -> "host", "[::1]:port" -> "[::1]"; anything else unchanged.
std::string HostWithoutPort(const std::string& host) {
  const size_t colon = host.rfind(':');
  if (colon == std::string::npos) return host;
  const size_t bracket = host.rfind(']');
  if (bracket != std::string::npos && bracket > colon) return host;          // "[::1]"
  if (bracket == std::string::npos && host.find(':') != colon) return host;  // bare IPv6
  return host.substr(0, colon);
}

const std::set<std::string> kRegions = {
    "ap-beijing", "ap-shanghai", "ap-guangzhou", "ap-nanjing",       "ap-chongqing",
    "ap-chengdu", "ap-hongkong", "ap-singapore", "ap-shanghai-fsi",  "ap-shenzhen-fsi",
    "ap-jakarta", "ap-seoul",    "ap-tokyo",     "na-siliconvalley", "eu-frankfurt"};

}  // namespace

std::optional<TioneReply> Simulator::Impl::VerifyTc3(const Request& r) {
  const std::string auth = r.Header("authorization");
  if (auth.empty()) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header is missing; sign the request with "
                      "TC3-HMAC-SHA256.");
  }
  constexpr std::string_view kAlgorithm = "TC3-HMAC-SHA256 ";
  if (!auth.starts_with(kAlgorithm)) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header must start with `TC3-HMAC-SHA256`.");
  }
  std::map<std::string, std::string> parts;
  std::stringstream rest(auth.substr(kAlgorithm.size()));
  for (std::string item; std::getline(rest, item, ',');) {
    item = Trim(item);
    const auto eq = item.find('=');
    if (eq != std::string::npos) parts[item.substr(0, eq)] = item.substr(eq + 1);
  }
  if (!parts.count("Credential") || !parts.count("SignedHeaders") || !parts.count("Signature")) {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization header needs Credential, SignedHeaders and Signature.");
  }
  std::vector<std::string> scope;
  std::stringstream cred(parts["Credential"]);
  for (std::string item; std::getline(cred, item, '/');) scope.push_back(item);
  if (scope.size() != 4 || scope[3] != "tc3_request") {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "The Authorization Credential must be "
                      "SecretId/YYYY-MM-DD/service/tc3_request.");
  }
  if (scope[0] != options_.tione_secret_id) {
    return TioneError("AuthFailure.SecretIdNotFound",
                      "The SecretId is not found, please ensure that your SecretId is correct.");
  }
  const std::string ts_text = r.Header("x-tc-timestamp");
  if (ts_text.empty())
    return TioneError("MissingParameter",
                      "The request is missing a required parameter "
                      "`Timestamp`.");
  int64_t ts = 0;
  try {
    size_t used = 0;
    ts = std::stoll(ts_text, &used);
    if (used != ts_text.size()) throw std::invalid_argument("ts");
  } catch (const std::exception&) {
    return TioneError("InvalidParameter", "The parameter `Timestamp` must be an integer.");
  }
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock_->WallNow().time_since_epoch())
          .count();
  if (std::llabs(now - ts) > options_.clock_skew_tolerance_seconds) {
    return TioneError("AuthFailure.SignatureExpire",
                      "Signature expired. Timestamp is " + ts_text + ", server time is " +
                          std::to_string(now) + "; they must be within " +
                          std::to_string(options_.clock_skew_tolerance_seconds) +
                          " seconds of each other.");
  }
  const std::string signed_headers = parts["SignedHeaders"];
  if (signed_headers != "content-type;host" && signed_headers != "content-type;host;x-tc-action") {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "SignedHeaders must be `content-type;host` or "
                      "`content-type;host;x-tc-action`.");
  }
  if (scope[2] != kTioneService) {
    return TioneError(
        "AuthFailure.SignatureFailure",
        "The credential scope service `" + scope[2] + "` does not match `" + kTioneService + "`.");
  }
  cloud::tione::Tc3Input in;
  in.secret_id = options_.tione_secret_id;
  in.secret_key = options_.tione_secret_key;
  in.host = Trim(r.Header("host"));
  in.service = kTioneService;
  in.action = Trim(r.Header("x-tc-action"));
  in.content_type = Trim(r.Header("content-type"));
  in.payload = r.body;
  in.timestamp = ts;
  in.sign_action_header = signed_headers.ends_with("x-tc-action");
  bool signed_ok = SameSecret(cloud::tione::SignTc3(in).signature, parts["Signature"]);
  // Tencent's SDKs sign the host without the port (the Host header carries it):
  // accept either.
  if (const std::string bare = HostWithoutPort(in.host); !signed_ok && bare != in.host) {
    in.host = bare;
    signed_ok = SameSecret(cloud::tione::SignTc3(in).signature, parts["Signature"]);
  }
  if (!signed_ok) {
    return TioneError("AuthFailure.SignatureFailure",
                      "The provided credentials could not be validated. Please check your "
                      "signature is correct.");
  }
  if (!options_.tione_session_token.empty()) {
    const std::string token = Trim(r.Header("x-tc-token"));
    if (token.empty()) {
      return TioneError("AuthFailure.TokenFailure",
                        "The X-TC-Token header is missing; temporary credentials need their "
                        "session token.");
    }
    if (!SameSecret(token, options_.tione_session_token)) {
      return TioneError("AuthFailure.TokenFailure",
                        "The session token (X-TC-Token) is invalid or expired.");
    }
  }
  return std::nullopt;
}

void Simulator::Impl::ServeTione(http_request& req, const Request& r) {
  const std::string action = Trim(r.Header("x-tc-action"));
  const std::string op = TioneWorld::IsAction(action) ? action : "UnknownAction";
  FaultDecision fault;
  std::string request_id;
  {
    std::lock_guard lock(mu_);
    request_id = Uuid(random_);
    ++tione_.calls[op];
    auto reject = [&](const TioneReply& reply) {
      tione_.Answered(op, reply.error_code);
      req.reply(web::http::status_codes::OK, TioneEnvelope(reply, request_id).dump(),
                "application/json");
    };
    if (!tione_.Admit(r.arrived, options_.tione_rate_limit)) {
      std::ostringstream rate;
      rate << options_.tione_rate_limit;
      return reject(
          TioneError("RequestLimitExceeded",
                     "Your current request times equals to `" + std::to_string(tione_.last_rps) +
                         "` in a second, which exceeds the frequency limit `" + rate.str() +
                         "` for a second. Please reduce the frequency of calls."));
    }
    if (auto failure = VerifyTc3(r)) {
      ++tione_.auth;
      return reject(*failure);
    }
    if (action.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Action`."));
    }
    if (op == "UnknownAction") {
      return reject(
          TioneError("InvalidAction", "The action `" + action + "` does not exist for tione."));
    }
    const std::string version = Trim(r.Header("x-tc-version"));
    if (version.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Version`."));
    }
    if (version != kTioneVersion) {
      return reject(TioneError(
          "NoSuchVersion",
          "The API version `" + version + "` does not exist; tione uses `" + kTioneVersion + "`."));
    }
    const std::string region = Trim(r.Header("x-tc-region"));
    if (region.empty()) {
      return reject(
          TioneError("MissingParameter", "The request is missing a required parameter `Region`."));
    }
    if (!kRegions.count(region)) {
      return reject(
          TioneError("UnsupportedRegion", "The region `" + region + "` is not supported."));
    }
    fault = faults_.Decide("tione", op, random_);
    if (fault.latency.count() > 0) ++tione_.faults["latency"];
    if (fault.mode != FaultMode::kNone) ++tione_.faults[FaultModeName(fault.mode)];
    if (fault.mode == FaultMode::kError) {
      ++tione_.fault;
      tione_.Answered(op, "InternalError");
    }
  }
  if (fault.latency.count() > 0) Pause(fault.latency);
  if (fault.mode == FaultMode::kError) {
    req.reply(web::http::status_codes::OK,
              TioneEnvelope(TioneError("InternalError",
                                       "An internal error has occurred (injected by the "
                                       "simulator for " +
                                           op + "). Retry your request."),
                            request_id)
                  .dump(),
              "application/json");
    return;
  }
  json params = Trim(r.body).empty() ? json::object() : json::parse(r.body, nullptr, false);
  TioneReply reply;
  {
    std::lock_guard lock(mu_);
    if (params.is_discarded() || !params.is_object()) {
      reply = TioneError("InvalidParameter", "The request body is not a valid JSON object.");
    } else {
      reply = world_.tione().Call(action, params);
    }
    tione_.Answered(op, reply.ok() ? "ok" : reply.error_code);
  }
  Deliver(req, fault.mode, {200, TioneEnvelope(reply, request_id).dump()});
}

}  // namespace converge::sim

#include "sim/tc3_verify.h"

#include <map>
#include <sstream>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "cloud/tione/tc3_signer.h"

namespace converge::sim {

namespace {

// Constant-time comparison of equal-length strings.
bool SameSecret(const std::string& a, const std::string& b) {
  if (a.size() != b.size()) return false;
  unsigned char diff = 0;
  for (size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
  return diff == 0;
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

}  // namespace

std::optional<TioneReply> VerifyTc3(const Request& r, const Tc3Expectation& expected) {
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
  if (scope[0] != expected.secret_id) {
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
  const int64_t now = expected.now;
  // Compared without subtracting ts: now - ts overflows for a ts far in the past.
  if (ts < now - expected.skew_tolerance_seconds || ts > now + expected.skew_tolerance_seconds) {
    return TioneError("AuthFailure.SignatureExpire",
                      "Signature expired. Timestamp is " + ts_text + ", server time is " +
                          std::to_string(now) + "; they must be within " +
                          std::to_string(expected.skew_tolerance_seconds) +
                          " seconds of each other.");
  }
  const std::string signed_headers = parts["SignedHeaders"];
  if (signed_headers != "content-type;host" && signed_headers != "content-type;host;x-tc-action") {
    return TioneError("AuthFailure.InvalidAuthorization",
                      "SignedHeaders must be `content-type;host` or "
                      "`content-type;host;x-tc-action`.");
  }
  if (scope[2] != expected.service) {
    return TioneError("AuthFailure.SignatureFailure", "The credential scope service `" + scope[2] +
                                                          "` does not match `" + expected.service +
                                                          "`.");
  }
  cloud::tione::Tc3Input in;
  in.secret_id = expected.secret_id;
  in.secret_key = expected.secret_key;
  in.host = Trim(r.Header("host"));
  in.service = expected.service;
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
  if (!expected.session_token.empty()) {
    const std::string token = Trim(r.Header("x-tc-token"));
    if (token.empty()) {
      return TioneError("AuthFailure.TokenFailure",
                        "The X-TC-Token header is missing; temporary credentials need their "
                        "session token.");
    }
    if (!SameSecret(token, expected.session_token)) {
      return TioneError("AuthFailure.TokenFailure",
                        "The session token (X-TC-Token) is invalid or expired.");
    }
  }
  return std::nullopt;
}

}  // namespace converge::sim

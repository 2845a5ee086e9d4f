// TC3-HMAC-SHA256 request signing for Tencent Cloud API 3.0 (Tencent Cloud's published
// algorithm; README "Cloud clients").
// Pure functions; every intermediate value is exposed so tests can check each.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace converge::cloud::tione {

struct Tc3Input {
  std::string secret_id;
  std::string secret_key;
  std::string host;          // as sent in the Host header (may include :port)
  std::string service;       // first label of the host for real endpoints, e.g. "tione"
  std::string action;        // X-TC-Action, e.g. "DescribeNotebooks"
  std::string content_type;  // e.g. "application/json" or "application/json; charset=utf-8"
  std::string payload;       // the exact body bytes
  int64_t timestamp = 0;     // X-TC-Timestamp (seconds)
  // Sign content-type;host;x-tc-action (vector A) instead of content-type;host (B).
  bool sign_action_header = false;
};

struct Tc3Signature {
  std::string canonical_request;
  std::string hashed_canonical_request;  // hex sha256
  std::string date;                      // UTC YYYY-MM-DD of timestamp
  std::string credential_scope;          // date/service/tc3_request
  std::string string_to_sign;
  std::string k_date_hex, k_service_hex, k_signing_hex;
  std::string signature;       // hex
  std::string signed_headers;  // "content-type;host" or "content-type;host;x-tc-action"
  std::string authorization;   // the full Authorization header value
};

Tc3Signature SignTc3(const Tc3Input& in);

// Lowercase hex SHA-256 (OpenSSL). HMAC-SHA256 and hex are in base/hmac.h.
std::string Sha256Hex(const std::string& data);

}  // namespace converge::cloud::tione

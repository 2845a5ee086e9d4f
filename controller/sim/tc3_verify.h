// The simulator's TC3-HMAC-SHA256 check of one TI-ONE request (Authorization,
// X-TC-Timestamp, the signed headers and body, X-TC-Token), as Tencent Cloud
// answers a bad one. Pure function; no I/O.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "sim/request.h"
#include "sim/tione_world.h"

namespace converge::sim {

// What a request must be signed with.
struct Tc3Expectation {
  std::string secret_id;
  std::string secret_key;
  std::string session_token;  // "" ignores X-TC-Token; else it must be exactly this
  std::string service;        // the credential scope's service, e.g. "tione"
  int64_t now = 0;            // server time, epoch seconds
  int64_t skew_tolerance_seconds = 300;
};

// nullopt when `r` is signed as `expected` says; else the TI-ONE error to answer
// (AuthFailure.*, MissingParameter or InvalidParameter for the timestamp).
std::optional<TioneReply> VerifyTc3(const Request& r, const Tc3Expectation& expected);

}  // namespace converge::sim

// The one error type every cloud call returns, and the Result alias built on it.
#pragma once

#include <string>

#include "base/result.h"

namespace converge::cloud {

struct Error {
  enum class Category {
    kTransport,    // DNS, refused, TLS, reset, timeout; outcome_unknown says if it may have run
    kRateLimited,  // the cloud refused for rate (RequestLimitExceeded, HTTP 429)
    kServer,       // the cloud failed internally (5xx, SCNet 10001/10012/716020, InternalError)
    kAuth,         // bad credentials or signature, no permission
    kInvalid,      // the request was wrong (missing/invalid parameter)
    kNotFound,     // the resource does not exist
    kRejected,     // the cloud understood and refused (quota, balance, execSuccess:false)
    kProtocol,     // the answer could not be understood (bad JSON, missing fields)
  };
  Category category = Category::kTransport;
  bool retryable = false;   // true when the same call may pass if repeated
  bool outcome_unknown = false;  // true when a mutating call may have been applied
  std::string operation;    // e.g. "ListContainerInstances", "CreateNotebook"
  std::string code;         // the cloud's code ("10004", "AuthFailure.SignatureFailure"), or ""
  std::string message;      // the cloud's own text, or what went wrong locally; never secrets
  int http_status = 0;      // 0 when no HTTP answer was received
  std::string request_id;   // TI-ONE RequestId when known
  std::string provider;     // the Provider's metadata.name, when known

  // "operation: message (code CODE, HTTP 500)"; with a provider set,
  // "operation on PROVIDER: message (code CODE, HTTP 500, RequestId ID)". Parts that
  // are empty/0 are left out. Redacted.
  std::string ToString() const;
};

std::string_view CategoryName(Error::Category c);

// The project's Result (base/result.h) with the cloud's error.
template <typename T>
using Result = converge::Result<T, Error>;
using Status = converge::Result<void, Error>;

}  // namespace converge::cloud

// One provider's way of calling its cloud: the shared token bucket, the retry
// loop with jittered exponential backoff, per-attempt metrics and debug logs.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/random.h"
#include "cloud/error.h"
#include "cloud/http/token_bucket.h"
#include "cloud/http/transport.h"
#include "cloud/request_observer.h"

namespace converge::cloud::http {

enum class CallKind {
  kRead,    // no side effects: retried on every retryable error
  kMutate,  // start/stop/restart: retried only on a definite retryable refusal
  kCreate,  // never retried
};

struct RetryPolicy {
  int max_retries = 3;  // retries after the first attempt
  std::chrono::milliseconds base{200};
  std::chrono::milliseconds max{5000};
};

// What one HTTP answer meant: the payload on success, or the cloud's error.
// `code` is the metric label for this attempt: the cloud's code ("0" on success)
// or "" to derive "http_<status>". An interpreter that parses its payload into
// structs itself (a list page read without a JSON tree) hands it over through
// what it captured and returns a null value.
struct Interpretation {
  Result<nlohmann::json> value;
  std::string code;
};
using Interpreter = std::function<Interpretation(const HttpResponse&)>;
// Builds the request for one attempt (called again per retry, so signatures and
// timestamps are fresh).
using RequestBuilder = std::function<HttpRequest()>;

// Thread-safe. Every attempt takes a token from the bucket first, reports
// OnThrottled when it had to wait, and reports OnRequest with its code and duration.
// Errors returned carry provider and operation; a transport error on a kMutate or
// kCreate call that may have reached the server has outcome_unknown=true and is
// returned at once; an HTTP 5xx without a cloud code or an answer that cannot be
// understood (kProtocol) on such a call is treated the same way (the cloud may
// have applied the call).
class ApiCaller {
 public:
  ApiCaller(std::string provider, std::unique_ptr<HttpTransport> transport, double qps, int burst,
            RetryPolicy retry, Clock& clock, Random& random, RequestObserver* observer);

  Result<nlohmann::json> Call(std::string_view operation, CallKind kind,
                              const RequestBuilder& build, const Interpreter& interpret);

  const std::string& provider() const { return provider_; }
  Clock& clock() { return clock_; }

 private:
  const std::string provider_;
  const std::unique_ptr<HttpTransport> transport_;
  TokenBucket bucket_;
  const RetryPolicy retry_;
  Clock& clock_;
  Random& random_;
  RequestObserver* const observer_;
};

// The metric label for a code: kept when made of [A-Za-z0-9._-] and at most 64
// characters, "invalid_code" otherwise, so labels stay a bounded set.
std::string MetricCode(std::string_view code);

// Parses JSON without throwing; nullopt on malformed input.
std::optional<nlohmann::json> ParseJson(std::string_view text);
// Serializes without throwing (invalid UTF-8 is replaced).
std::string DumpJson(const nlohmann::json& value);

}  // namespace converge::cloud::http

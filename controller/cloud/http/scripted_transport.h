// For unit tests: an HttpTransport that answers from a script and records what
// it was sent. Thread-safe.
#pragma once

#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "cloud/http/transport.h"

namespace converge::cloud::http {

class ScriptedTransport : public HttpTransport {
 public:
  void Answer(int status, std::string body) {
    std::lock_guard lock(mu_);
    script_.push_back(HttpResponse{status, std::move(body)});
  }
  // A transport failure: code "timeout" or "transport_error"; `maybe_sent` is
  // what the real transport reports as outcome_unknown.
  void Fail(std::string code, bool maybe_sent) {
    Error e;
    e.category = Error::Category::kTransport;
    e.retryable = true;
    e.outcome_unknown = maybe_sent;
    e.code = std::move(code);
    e.message = "scripted transport failure";
    std::lock_guard lock(mu_);
    script_.push_back(std::unexpected(std::move(e)));
  }

  Result<HttpResponse> Send(const HttpRequest& request) override {
    std::lock_guard lock(mu_);
    requests_.push_back(request);
    if (script_.empty()) {
      Error e;
      e.category = Error::Category::kTransport;
      e.code = "transport_error";
      e.message = "script exhausted";
      return std::unexpected(e);
    }
    Result<HttpResponse> next = std::move(script_.front());
    script_.pop_front();
    return next;
  }

  std::vector<HttpRequest> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  size_t remaining() const {
    std::lock_guard lock(mu_);
    return script_.size();
  }

 private:
  mutable std::mutex mu_;
  std::deque<Result<HttpResponse>> script_;
  std::vector<HttpRequest> requests_;
};

}  // namespace converge::cloud::http

#include "cloud/http/api_caller.h"

#include <cctype>

#include "base/backoff.h"
#include "base/log.h"

namespace converge::cloud::http {
namespace {

double Seconds(Duration d) { return std::chrono::duration<double>(d).count(); }

std::string Millis(Duration d) {
  return std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
}

std::string LabelFor(const Interpretation& result) {
  if (result.value) return MetricCode(result.code.empty() ? "0" : result.code);
  const Error& e = result.value.error();
  if (!e.code.empty()) return MetricCode(e.code);
  if (e.http_status != 0) return "http_" + std::to_string(e.http_status);
  return "transport_error";
}

}  // namespace

std::string MetricCode(std::string_view code) {
  if (code.empty() || code.size() > 64) return "invalid_code";
  for (unsigned char c : code) {
    if (!std::isalnum(c) && c != '.' && c != '_' && c != '-') return "invalid_code";
  }
  return std::string(code);
}

std::optional<nlohmann::json> ParseJson(std::string_view text) {
  nlohmann::json value = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return std::nullopt;
  return value;
}

std::string DumpJson(const nlohmann::json& value) {
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

ApiCaller::ApiCaller(std::string provider, std::unique_ptr<HttpTransport> transport, double qps,
                     int burst, RetryPolicy retry, Clock& clock, Random& random,
                     RequestObserver* observer)
    : provider_(std::move(provider)),
      transport_(std::move(transport)),
      bucket_(qps, burst, clock),
      retry_(retry),
      clock_(clock),
      random_(random),
      observer_(observer) {}

Result<nlohmann::json> ApiCaller::Call(std::string_view operation, CallKind kind,
                                       const RequestBuilder& build, const Interpreter& interpret) {
  Backoff backoff(retry_.base, retry_.max, random_);
  for (int attempt = 0;; ++attempt) {
    const Duration waited = bucket_.Acquire();
    if (waited > Duration::zero() && observer_ != nullptr) {
      observer_->OnThrottled(provider_, Seconds(waited));
    }
    HttpRequest request = build();
    request.fresh_connection = kind != CallKind::kRead;
    const SteadyTime start = clock_.Now();
    Result<HttpResponse> response = transport_->Send(request);
    const Duration took = clock_.Now() - start;

    Interpretation result;
    if (!response) {
      result.value = std::unexpected(response.error());
    } else {
      result = interpret(*response);
      if (!result.value && result.value.error().http_status == 0) {
        result.value.error().http_status = response->status;
      }
    }
    const std::string label = LabelFor(result);
    if (observer_ != nullptr) {
      observer_->OnRequest(provider_, std::string(operation), label, Seconds(took));
    }
    log::Debug("cloud request",
               {{"provider", provider_},
                {"operation", std::string(operation)},
                {"method", request.method},
                {"path", request.target},
                {"status", response ? std::to_string(response->status) : std::string("none")},
                {"code", label},
                {"duration_ms", Millis(took)},
                {"attempt", std::to_string(attempt + 1)}});
    if (result.value) return std::move(result.value);

    Error error = std::move(result.value.error());
    error.provider = provider_;
    error.operation = std::string(operation);
    if (kind == CallKind::kRead) {
      error.outcome_unknown = false;
    } else if ((error.category == Error::Category::kServer && error.code.empty() &&
                error.http_status >= 500) ||
               error.category == Error::Category::kProtocol) {
      error.outcome_unknown = true;
    }
    const bool retry = error.retryable && !error.outcome_unknown && kind != CallKind::kCreate &&
                       attempt < retry_.max_retries;
    if (!retry) return std::unexpected(std::move(error));
    const std::chrono::milliseconds delay = backoff.Next();
    log::Debug("cloud request will be retried", {{"provider", provider_},
                                                 {"operation", std::string(operation)},
                                                 {"code", label},
                                                 {"delay_ms", std::to_string(delay.count())},
                                                 {"attempt", std::to_string(attempt + 1)}});
    clock_.SleepFor(delay);
  }
}

}  // namespace converge::cloud::http

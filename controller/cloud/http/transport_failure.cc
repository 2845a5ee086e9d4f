#include "cloud/http/transport_failure.h"

#include <netdb.h>

#include <cerrno>
#include <cstring>
#include <string_view>

namespace converge::cloud::http {
namespace {

std::string Within(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return "within " + std::to_string(timeout.count() / 1000) + " s";
  return "within " + std::to_string(timeout.count()) + " ms";
}

// getaddrinfo's EAI_* values.
std::string ResolveReason(int value) {
  switch (value) {
    case EAI_NONAME:
      return "no such host";
    case EAI_AGAIN:
      return "the DNS server did not answer (temporary failure)";
    case EAI_FAIL:
      return "the DNS server failed (non-recoverable)";
    case EAI_NODATA:
    case EAI_ADDRFAMILY:
      return "the name has no address";
    default:
      return std::string("resolver error: ") + ::gai_strerror(value);
  }
}

std::string SystemReason(int error) { return std::strerror(error); }

// How an established connection ended.
std::string BrokeHow(const ExchangeFailure& failure) {
  if (!failure.tls_error.empty()) return "broke (TLS: " + failure.tls_error + ")";
  switch (failure.error) {
    case 0:
    case EPIPE:
    case ECONNABORTED:
      return "was closed";
    case ECONNRESET:
      return "was reset";
    default:
      return "broke (" + SystemReason(failure.error) + ")";
  }
}

Error Failure(std::string code, bool maybe_sent, std::string message) {
  Error e;
  e.category = Error::Category::kTransport;
  e.retryable = true;
  e.outcome_unknown = maybe_sent;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

constexpr std::string_view kMayHaveBeenApplied = "; the request may have been applied";

}  // namespace

std::string HostPort(const Endpoint& endpoint) {
  if (endpoint.port != 0) return endpoint.host_header;
  return endpoint.host_header + (endpoint.scheme == "https" ? ":443" : ":80");
}

Error ClassifyTransportFailure(const ExchangeFailure& failure, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout) {
  const std::string where = HostPort(endpoint);
  const bool timed_out = failure.timed_out;
  const std::string check_endpoint =
      "; check the host and port in spec.endpoint and the network path to it";
  const std::string may_have_been_applied(kMayHaveBeenApplied);
  switch (failure.phase) {
    case Phase::kResolve:  // getaddrinfo has timeouts of its own; it never times out here
      return Failure("transport_error", false,
                     "could not resolve host \"" + endpoint.host +
                         "\": " + ResolveReason(failure.error) +
                         "; check the host name in spec.endpoint and the DNS configuration");
    case Phase::kConnect:
      if (timed_out) {
        return Failure("timeout", false,
                       "could not connect to " + where + " " + Within(timeout) + check_endpoint +
                           " (firewall, proxy)");
      }
      if (failure.error == ECONNREFUSED) {
        return Failure("transport_error", false,
                       "connection refused by " + where +
                           " (or the host is unreachable); check the host and port in "
                           "spec.endpoint and that the service is up");
      }
      return Failure(
          "transport_error", false,
          "could not connect to " + where + ": " + SystemReason(failure.error) + check_endpoint);
    case Phase::kTls: {
      if (timed_out) {
        return Failure("timeout", false,
                       "no TLS handshake with " + where + " " + Within(timeout) +
                           "; check that spec.endpoint serves https on that port");
      }
      std::string reason = failure.tls_error;
      if (!reason.empty() && !failure.certificate_problem.empty()) {
        reason += " (" + failure.certificate_problem + ")";
      }
      if (reason.empty()) {
        reason =
            failure.error == 0 ? "the server closed the connection" : SystemReason(failure.error);
      }
      return Failure("transport_error", false,
                     "TLS handshake with " + where + " failed: " + reason +
                         "; check that spec.endpoint serves https on that port and that its "
                         "certificate is valid for \"" +
                         endpoint.host + "\" and trusted (system store or spec.caFile)");
    }
    case Phase::kSend:
      if (timed_out) {
        return Failure("timeout", false,
                       "could not send the request to " + where + " " + Within(timeout) +
                           "; it was not applied");
      }
      return Failure("transport_error", false,
                     "the connection to " + where + " " + BrokeHow(failure) +
                         " while the request was being sent; it was not applied");
    case Phase::kAwaitAnswer:
      if (timed_out) {
        return Failure("timeout", true,
                       "no answer from " + where + " " + Within(timeout) + may_have_been_applied);
      }
      if (!failure.protocol_error.empty()) {
        return Failure("transport_error", true,
                       "the answer from " + where + " is not HTTP (" + failure.protocol_error +
                           ")" + may_have_been_applied + "; check spec.endpoint");
      }
      return Failure("transport_error", true,
                     "the connection to " + where + " " + BrokeHow(failure) +
                         " before the answer arrived" + may_have_been_applied);
    case Phase::kReadAnswer:
      if (timed_out) {
        return Failure("timeout", true,
                       "the answer from " + where + " stalled: it was not complete " +
                           Within(timeout) + may_have_been_applied);
      }
      if (!failure.protocol_error.empty()) {
        return Failure("transport_error", true,
                       "the answer from " + where + " is not valid HTTP (" +
                           failure.protocol_error + ")" + may_have_been_applied);
      }
      return Failure("transport_error", true,
                     "the connection to " + where + " " + BrokeHow(failure) +
                         " before the whole answer arrived" + may_have_been_applied);
  }
  return Failure("transport_error", true,
                 "HTTP exchange with " + where + " failed" + may_have_been_applied);
}

}  // namespace converge::cloud::http

#include "cloud/http/transport_failure.h"

#include <cerrno>
#include <string_view>

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace converge::cloud::http {
namespace {

// The phase of the exchange a cpprestsdk 2.10 message belongs to
// (Release/src/http/client/http_client_asio.cpp).
enum class Phase { kResolve, kConnect, kTls, kSend, kAwaitAnswer, kReadAnswer, kUnknown };

Phase PhaseOf(std::string_view what) {
  struct Prefix {
    std::string_view text;
    Phase phase;
  };
  static constexpr Prefix kPrefixes[] = {
      {"Error resolving", Phase::kResolve},
      {"Failed to resolve address", Phase::kResolve},
      {"Failed to connect to any resolved", Phase::kConnect},
      {"Request canceled by user", Phase::kConnect},  // only raised by a connect
      {"Error in SSL handshake", Phase::kTls},
      {"Failed to write request", Phase::kSend},
      {"Failed to read HTTP status line", Phase::kAwaitAnswer},
      {"Invalid HTTP status line", Phase::kAwaitAnswer},
      {"Failed to read response body", Phase::kReadAnswer},
      {"Retrieving message chunk header", Phase::kReadAnswer},
      {"Failed to read chunked response part", Phase::kReadAnswer},
      {"Invalid chunked response header", Phase::kReadAnswer},
  };
  for (const Prefix& p : kPrefixes) {
    if (what.starts_with(p.text)) return p.phase;
  }
  return Phase::kUnknown;
}

std::string Within(std::chrono::milliseconds timeout) {
  if (timeout.count() % 1000 == 0) return "within " + std::to_string(timeout.count() / 1000) + " s";
  return "within " + std::to_string(timeout.count()) + " ms";
}

// asio's resolver errors (netdb category), which cpprestsdk reports as errno values.
std::string ResolveReason(int value) {
  switch (value) {
    case 0:
      return "the name has no address";
    case 1:
      return "no such host";
    case 2:
      return "the DNS server did not answer (temporary failure)";
    case 3:
      return "the DNS server failed (non-recoverable)";
    case 4:
      return "the name has no address";
    default:
      return "resolver error " + std::to_string(value);
  }
}

// OpenSSL's own text for an OpenSSL error code (library set), else "".
std::string OpenSslReason(int value) {
  const auto code = static_cast<unsigned long>(static_cast<unsigned int>(value));
  if (value <= 0 || ERR_GET_LIB(code) == 0) return "";
  OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, nullptr);
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? std::string(reason) : "OpenSSL error " + std::to_string(value);
}

// How an established connection ended, from the value cpprestsdk reports: asio's
// end of stream arrives as ENOENT (2), or as ECONNABORTED while awaiting the
// status line; a TLS stream cut short as EPERM (1).
std::string BrokeHow(const std::error_code& code) {
  switch (code.value()) {
    case 1:
    case ENOENT:
    case ECONNABORTED:
    case EPIPE:
      return "was closed";
    case ECONNRESET:
      return "was reset";
    default:
      return "broke (" + code.message() + ")";
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

Error ClassifyTransportFailure(const LibraryFailure& failure, const Endpoint& endpoint,
                               std::chrono::milliseconds timeout) {
  const std::string where = HostPort(endpoint);
  const bool timed_out = failure.code.value() == ETIMEDOUT;
  const std::string check_endpoint =
      "; check the host and port in spec.endpoint and the network path to it";
  switch (PhaseOf(failure.what)) {
    case Phase::kResolve:
      if (timed_out) {
        return Failure("timeout", false,
                       "could not resolve host \"" + endpoint.host + "\" " + Within(timeout) +
                           "; check the DNS configuration");
      }
      return Failure("transport_error", false,
                     "could not resolve host \"" + endpoint.host +
                         "\": " + ResolveReason(failure.code.value()) +
                         "; check the host name in spec.endpoint and the DNS configuration");
    case Phase::kConnect:
      if (timed_out) {
        return Failure("timeout", false,
                       "could not connect to " + where + " " + Within(timeout) + check_endpoint +
                           " (firewall, proxy)");
      }
      if (failure.code.value() == EHOSTUNREACH) {  // cpprestsdk's word for a refused connect
        return Failure("transport_error", false,
                       "connection refused by " + where +
                           " (or the host is unreachable); check the host and port in "
                           "spec.endpoint and that the service is up");
      }
      return Failure(
          "transport_error", false,
          "could not connect to " + where + ": " + failure.code.message() + check_endpoint);
    case Phase::kTls: {
      if (timed_out) {
        return Failure("timeout", false,
                       "no TLS handshake with " + where + " " + Within(timeout) +
                           "; check that spec.endpoint serves https on that port");
      }
      std::string reason = OpenSslReason(failure.code.value());
      if (!reason.empty() && !failure.certificate_problem.empty()) {
        reason += " (" + failure.certificate_problem + ")";
      }
      if (reason.empty()) {
        reason =
            failure.code.value() == 1 ? "the server closed the connection" : failure.code.message();
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
                     "the connection to " + where + " " +
                         (failure.code.value() == EHOSTUNREACH ? std::string("was closed")
                                                               : BrokeHow(failure.code)) +
                         " while the request was being sent; it was not applied");
    case Phase::kAwaitAnswer:
      if (timed_out) {
        return Failure(
            "timeout", true,
            "no answer from " + where + " " + Within(timeout) + std::string(kMayHaveBeenApplied));
      }
      if (failure.what.starts_with("Invalid")) {
        return Failure("transport_error", true,
                       "the answer from " + where + " is not HTTP (invalid status line)" +
                           std::string(kMayHaveBeenApplied) + "; check spec.endpoint");
      }
      return Failure("transport_error", true,
                     "the connection to " + where + " " + BrokeHow(failure.code) +
                         " before the answer arrived" + std::string(kMayHaveBeenApplied));
    case Phase::kReadAnswer:
      if (timed_out) {
        return Failure("timeout", true,
                       "the answer from " + where + " stalled: no more of it came " +
                           Within(timeout) + std::string(kMayHaveBeenApplied));
      }
      if (failure.what.starts_with("Invalid")) {
        return Failure("transport_error", true,
                       "the answer from " + where + " is not valid HTTP (" + failure.what + ")" +
                           std::string(kMayHaveBeenApplied));
      }
      return Failure("transport_error", true,
                     "the connection to " + where + " " + BrokeHow(failure.code) +
                         " before the whole answer arrived" + std::string(kMayHaveBeenApplied));
    case Phase::kUnknown:
      break;
  }
  if (timed_out) {
    return Failure(
        "timeout", true,
        "no answer from " + where + " " + Within(timeout) + std::string(kMayHaveBeenApplied));
  }
  std::string detail = failure.what;
  if (failure.code) detail += " (" + failure.code.message() + ")";
  return Failure(
      "transport_error", true,
      "HTTP exchange with " + where + " failed: " + detail + std::string(kMayHaveBeenApplied));
}

}  // namespace converge::cloud::http

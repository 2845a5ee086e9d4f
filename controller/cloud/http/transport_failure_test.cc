#include "cloud/http/transport_failure.h"

#include <netdb.h>

#include <cerrno>

#include <gtest/gtest.h>

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;

constexpr bool kTimedOut = true;

struct Case {
  std::string reason;
  std::string endpoint;
  ExchangeFailure failure;
  milliseconds timeout;
  std::string code;
  bool maybe_sent;
  std::string message;
};

ExchangeFailure At(Phase phase, int error = 0, bool timed_out = false) {
  ExchangeFailure f;
  f.phase = phase;
  f.error = error;
  f.timed_out = timed_out;
  return f;
}

ExchangeFailure Tls(std::string tls_error, std::string certificate_problem = "") {
  ExchangeFailure f = At(Phase::kTls);
  f.tls_error = std::move(tls_error);
  f.certificate_problem = std::move(certificate_problem);
  return f;
}

ExchangeFailure NotHttp(Phase phase, std::string what) {
  ExchangeFailure f = At(phase);
  f.protocol_error = std::move(what);
  return f;
}

TEST(ClassifyTransportFailureTest, NamesTheCauseAndWhetherTheRequestMayHaveBeenSent) {
  const std::string check_tls =
      "; check that spec.endpoint serves https on that port and that its certificate is valid "
      "for \"api.example.com\" and trusted (system store or spec.caFile)";
  const std::vector<Case> cases = {
      {"DNS: no such host", "http://nohost.invalid:8080", At(Phase::kResolve, EAI_NONAME),
       milliseconds(30000), "transport_error", false,
       "could not resolve host \"nohost.invalid\": no such host; check the host name in "
       "spec.endpoint and the DNS configuration"},
      {"DNS: temporary failure", "https://api.example.com", At(Phase::kResolve, EAI_AGAIN),
       milliseconds(30000), "transport_error", false,
       "could not resolve host \"api.example.com\": the DNS server did not answer (temporary "
       "failure); check the host name in spec.endpoint and the DNS configuration"},
      {"refused", "http://127.0.0.1:1", At(Phase::kConnect, ECONNREFUSED), milliseconds(30000),
       "transport_error", false,
       "connection refused by 127.0.0.1:1 (or the host is unreachable); check the host and port "
       "in spec.endpoint and that the service is up"},
      {"network unreachable", "http://127.0.0.1:1", At(Phase::kConnect, ENETUNREACH),
       milliseconds(30000), "transport_error", false,
       "could not connect to 127.0.0.1:1: Network is unreachable; check the host and port in "
       "spec.endpoint and the network path to it"},
      {"connect timeout", "https://api.example.com", At(Phase::kConnect, 0, kTimedOut),
       milliseconds(5000), "timeout", false,
       "could not connect to api.example.com:443 within 5 s; check the host and port in "
       "spec.endpoint and the network path to it (firewall, proxy)"},
      {"TLS: certificate not trusted or for another host", "https://api.example.com",
       Tls("certificate verify failed"), milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: certificate verify failed" + check_tls},
      {"TLS: the port speaks plain HTTP", "https://api.example.com", Tls("wrong version number"),
       milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: wrong version number" + check_tls},
      {"TLS: closed during the handshake", "https://api.example.com", At(Phase::kTls),
       milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: the server closed the connection" +
           check_tls},
      {"TLS: reset during the handshake", "https://api.example.com", At(Phase::kTls, ECONNRESET),
       milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: Connection reset by peer" + check_tls},
      {"TLS: no handshake answer", "https://api.example.com", At(Phase::kTls, 0, kTimedOut),
       milliseconds(1500), "timeout", false,
       "no TLS handshake with api.example.com:443 within 1500 ms; check that spec.endpoint "
       "serves https on that port"},
      {"closed while sending (broken pipe)", "http://127.0.0.1:1", At(Phase::kSend, EPIPE),
       milliseconds(30000), "transport_error", false,
       "the connection to 127.0.0.1:1 was closed while the request was being sent; it was not "
       "applied"},
      {"reset while sending", "http://127.0.0.1:1", At(Phase::kSend, ECONNRESET),
       milliseconds(30000), "transport_error", false,
       "the connection to 127.0.0.1:1 was reset while the request was being sent; it was not "
       "applied"},
      {"send timed out", "http://127.0.0.1:1", At(Phase::kSend, 0, kTimedOut), milliseconds(300),
       "timeout", false,
       "could not send the request to 127.0.0.1:1 within 300 ms; it was not applied"},
      {"closed before the status line", "http://127.0.0.1:8089", At(Phase::kAwaitAnswer),
       milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was closed before the answer arrived; the request may "
       "have been applied"},
      {"reset before the status line", "http://127.0.0.1:8089", At(Phase::kAwaitAnswer, ECONNRESET),
       milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was reset before the answer arrived; the request may "
       "have been applied"},
      {"no answer", "http://127.0.0.1:8089", At(Phase::kAwaitAnswer, 0, kTimedOut),
       milliseconds(30000), "timeout", true,
       "no answer from 127.0.0.1:8089 within 30 s; the request may have been applied"},
      {"not HTTP", "http://127.0.0.1:8089", NotHttp(Phase::kAwaitAnswer, "invalid status line"),
       milliseconds(30000), "transport_error", true,
       "the answer from 127.0.0.1:8089 is not HTTP (invalid status line); the request may have "
       "been applied; check spec.endpoint"},
      {"closed mid-body", "http://127.0.0.1:8089", At(Phase::kReadAnswer), milliseconds(30000),
       "transport_error", true,
       "the connection to 127.0.0.1:8089 was closed before the whole answer arrived; the request "
       "may have been applied"},
      {"reset mid-body", "http://127.0.0.1:8089", At(Phase::kReadAnswer, ECONNRESET),
       milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was reset before the whole answer arrived; the request "
       "may have been applied"},
      {"TLS failed mid-body", "https://api.example.com",
       [] {
         ExchangeFailure f = At(Phase::kReadAnswer);
         f.tls_error = "decryption failed or bad record mac";
         return f;
       }(),
       milliseconds(30000), "transport_error", true,
       "the connection to api.example.com:443 broke (TLS: decryption failed or bad record mac) "
       "before the whole answer arrived; the request may have been applied"},
      {"bad chunk", "http://127.0.0.1:8089", NotHttp(Phase::kReadAnswer, "invalid chunk size"),
       milliseconds(30000), "transport_error", true,
       "the answer from 127.0.0.1:8089 is not valid HTTP (invalid chunk size); the request may "
       "have been applied"},
      {"body stalled", "http://127.0.0.1:8089", At(Phase::kReadAnswer, 0, kTimedOut),
       milliseconds(300), "timeout", true,
       "the answer from 127.0.0.1:8089 stalled: it was not complete within 300 ms; the request "
       "may have been applied"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    Result<Endpoint> endpoint = ParseEndpoint(c.endpoint);
    ASSERT_TRUE(endpoint);
    const Error e = ClassifyTransportFailure(c.failure, *endpoint, c.timeout);
    EXPECT_EQ(e.category, Error::Category::kTransport);
    EXPECT_TRUE(e.retryable);
    EXPECT_EQ(e.code, c.code);
    EXPECT_EQ(e.outcome_unknown, c.maybe_sent);
    EXPECT_EQ(e.message, c.message);
  }
}

TEST(ClassifyTransportFailureTest, ARejectedCertificateSaysWhy) {
  Result<Endpoint> endpoint = ParseEndpoint("https://api.example.com");
  ASSERT_TRUE(endpoint);
  const Error e = ClassifyTransportFailure(
      Tls("certificate verify failed", "certificate has expired"), *endpoint, milliseconds(30000));
  EXPECT_FALSE(e.outcome_unknown);
  EXPECT_EQ(e.message,
            "TLS handshake with api.example.com:443 failed: certificate verify failed "
            "(certificate has expired); check that spec.endpoint serves https on that port and "
            "that its certificate is valid for \"api.example.com\" and trusted (system store or "
            "spec.caFile)");
}

}  // namespace
}  // namespace converge::cloud::http

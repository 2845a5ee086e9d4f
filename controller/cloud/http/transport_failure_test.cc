#include "cloud/http/transport_failure.h"

#include <cerrno>

#include <gtest/gtest.h>

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;

// The values below are what cpprestsdk 2.10.18 reported on Linux in experiments
// against a closed loopback port, a .invalid host, servers that close or reset
// the connection before or during the answer, a plain-HTTP port spoken to with
// https, a TLS server with a self-signed certificate and one that never answers.
constexpr int kAsioEndOfStream = 2;          // boost::asio::error::eof, read as ENOENT
constexpr int kAsioHostNotFound = 1;         // netdb host_not_found, read as EPERM
constexpr int kAsioTryAgain = 2;             // netdb host_not_found_try_again
constexpr int kAsioStreamTruncated = 1;      // ssl stream_truncated, read as EPERM
constexpr int kSslVerifyFailed = 167772294;  // ERR_PACK(ERR_LIB_SSL, 0, 134)
constexpr int kSslWrongVersion = 167772427;  // ERR_PACK(ERR_LIB_SSL, 0, 267)

struct Case {
  std::string reason;
  std::string endpoint;
  int value;
  std::string what;
  milliseconds timeout;
  std::string code;
  bool maybe_sent;
  std::string message;
};

TEST(ClassifyTransportFailureTest, NamesTheCauseAndWhetherTheRequestMayHaveBeenSent) {
  const std::string check_tls =
      "; check that spec.endpoint serves https on that port and that its certificate is valid "
      "for \"api.example.com\" and trusted (system store or spec.caFile)";
  const std::vector<Case> cases = {
      {"DNS: no such host", "http://nohost.invalid:8080", kAsioHostNotFound,
       "Error resolving address", milliseconds(30000), "transport_error", false,
       "could not resolve host \"nohost.invalid\": no such host; check the host name in "
       "spec.endpoint and the DNS configuration"},
      {"DNS: temporary failure", "https://api.example.com", kAsioTryAgain,
       "Error resolving address", milliseconds(30000), "transport_error", false,
       "could not resolve host \"api.example.com\": the DNS server did not answer (temporary "
       "failure); check the host name in spec.endpoint and the DNS configuration"},
      {"DNS: timed out", "https://api.example.com", ETIMEDOUT, "Error resolving address",
       milliseconds(30000), "timeout", false,
       "could not resolve host \"api.example.com\" within 30 s; check the DNS configuration"},
      {"refused (cpprestsdk reports EHOSTUNREACH)", "http://127.0.0.1:1", EHOSTUNREACH,
       "Failed to connect to any resolved endpoint", milliseconds(30000), "transport_error", false,
       "connection refused by 127.0.0.1:1 (or the host is unreachable); check the host and port "
       "in spec.endpoint and that the service is up"},
      {"network unreachable", "http://127.0.0.1:1", ENETUNREACH,
       "Failed to connect to any resolved endpoint", milliseconds(30000), "transport_error", false,
       "could not connect to 127.0.0.1:1: Network is unreachable; check the host and port in "
       "spec.endpoint and the network path to it"},
      {"connect timeout (the timer aborts the connect)", "https://api.example.com", ETIMEDOUT,
       "Request canceled by user.", milliseconds(5000), "timeout", false,
       "could not connect to api.example.com:443 within 5 s; check the host and port in "
       "spec.endpoint and the network path to it (firewall, proxy)"},
      {"TLS: certificate not trusted or for another host", "https://api.example.com",
       kSslVerifyFailed, "Error in SSL handshake", milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: certificate verify failed" + check_tls},
      {"TLS: the port speaks plain HTTP", "https://api.example.com", kSslWrongVersion,
       "Error in SSL handshake", milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: wrong version number" + check_tls},
      {"TLS: closed during the handshake", "https://api.example.com", kAsioStreamTruncated,
       "Error in SSL handshake", milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: the server closed the connection" +
           check_tls},
      {"TLS: reset during the handshake", "https://api.example.com", ECONNRESET,
       "Error in SSL handshake", milliseconds(30000), "transport_error", false,
       "TLS handshake with api.example.com:443 failed: Connection reset by peer" + check_tls},
      {"TLS: no handshake answer", "https://api.example.com", ETIMEDOUT, "Error in SSL handshake",
       milliseconds(1500), "timeout", false,
       "no TLS handshake with api.example.com:443 within 1500 ms; check that spec.endpoint "
       "serves https on that port"},
      {"closed while sending (broken pipe, reported as EHOSTUNREACH)", "http://127.0.0.1:1",
       EHOSTUNREACH, "Failed to write request headers", milliseconds(30000), "transport_error",
       false,
       "the connection to 127.0.0.1:1 was closed while the request was being sent; it was not "
       "applied"},
      {"reset while sending the body", "http://127.0.0.1:1", ECONNRESET,
       "Failed to write request body", milliseconds(30000), "transport_error", false,
       "the connection to 127.0.0.1:1 was reset while the request was being sent; it was not "
       "applied"},
      {"send timed out", "http://127.0.0.1:1", ETIMEDOUT, "Failed to write request body",
       milliseconds(300), "timeout", false,
       "could not send the request to 127.0.0.1:1 within 300 ms; it was not applied"},
      {"closed before the status line (end of stream, reported as ECONNABORTED)",
       "http://127.0.0.1:8089", ECONNABORTED, "Failed to read HTTP status line",
       milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was closed before the answer arrived; the request may "
       "have been applied"},
      {"reset before the status line", "http://127.0.0.1:8089", ECONNRESET,
       "Failed to read HTTP status line", milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was reset before the answer arrived; the request may "
       "have been applied"},
      {"no answer", "http://127.0.0.1:8089", ETIMEDOUT, "Failed to read HTTP status line",
       milliseconds(30000), "timeout", true,
       "no answer from 127.0.0.1:8089 within 30 s; the request may have been applied"},
      {"not HTTP", "http://127.0.0.1:8089", 0, "Invalid HTTP status line", milliseconds(30000),
       "transport_error", true,
       "the answer from 127.0.0.1:8089 is not HTTP (invalid status line); the request may have "
       "been applied; check spec.endpoint"},
      {"closed mid-body (end of stream, reported as ENOENT)", "http://127.0.0.1:8089",
       kAsioEndOfStream, "Failed to read response body", milliseconds(30000), "transport_error",
       true,
       "the connection to 127.0.0.1:8089 was closed before the whole answer arrived; the request "
       "may have been applied"},
      {"reset mid-body", "http://127.0.0.1:8089", ECONNRESET, "Failed to read response body",
       milliseconds(30000), "transport_error", true,
       "the connection to 127.0.0.1:8089 was reset before the whole answer arrived; the request "
       "may have been applied"},
      {"TLS stream cut mid-chunk", "https://api.example.com", kAsioStreamTruncated,
       "Failed to read chunked response part", milliseconds(30000), "transport_error", true,
       "the connection to api.example.com:443 was closed before the whole answer arrived; the "
       "request may have been applied"},
      {"body stalled", "http://127.0.0.1:8089", ETIMEDOUT, "Failed to read response body",
       milliseconds(300), "timeout", true,
       "the answer from 127.0.0.1:8089 stalled: no more of it came within 300 ms; the request "
       "may have been applied"},
      {"unknown phase counts as maybe sent", "http://127.0.0.1:8089", EIO, "something new",
       milliseconds(30000), "transport_error", true,
       "HTTP exchange with 127.0.0.1:8089 failed: something new (Input/output error); the "
       "request may have been applied"},
      {"unknown phase that timed out", "http://127.0.0.1:8089", ETIMEDOUT, "something new",
       milliseconds(30000), "timeout", true,
       "no answer from 127.0.0.1:8089 within 30 s; the request may have been applied"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.reason);
    Result<Endpoint> endpoint = ParseEndpoint(c.endpoint);
    ASSERT_TRUE(endpoint);
    const Error e = ClassifyTransportFailure(
        {std::error_code(c.value, std::generic_category()), c.what}, *endpoint, c.timeout);
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
  const Error e =
      ClassifyTransportFailure({std::error_code(kSslVerifyFailed, std::generic_category()),
                                "Error in SSL handshake", "certificate has expired"},
                               *endpoint, milliseconds(30000));
  EXPECT_FALSE(e.outcome_unknown);
  EXPECT_EQ(e.message,
            "TLS handshake with api.example.com:443 failed: certificate verify failed "
            "(certificate has expired); check that spec.endpoint serves https on that port and "
            "that its certificate is valid for \"api.example.com\" and trusted (system store or "
            "spec.caFile)");
}

TEST(ClassifyTransportFailureTest, AnExceptionWithoutACodeMayHaveBeenSent) {
  Result<Endpoint> endpoint = ParseEndpoint("http://127.0.0.1:8089");
  ASSERT_TRUE(endpoint);
  const Error e =
      ClassifyTransportFailure({{}, "invalid UTF-8 in the body"}, *endpoint, milliseconds(30000));
  EXPECT_EQ(e.code, "transport_error");
  EXPECT_TRUE(e.outcome_unknown);
  EXPECT_EQ(e.message,
            "HTTP exchange with 127.0.0.1:8089 failed: invalid UTF-8 in the body; the request may "
            "have been applied");
}

}  // namespace
}  // namespace converge::cloud::http

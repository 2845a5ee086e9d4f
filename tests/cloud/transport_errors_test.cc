// Transport failures over real sockets on loopback, through the providers: each
// names its real cause, and only failures after the request was sent make a
// create's outcome unknown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <algorithm>
#include <cstdio>
#include <mutex>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cloud/http/socket_transport.h"
#include "cloud_sim_harness.h"
#include "support/loopback_socket.h"

namespace converge::cloud::testing {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

// A loopback port with nothing listening: bound to learn a free one, then closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

// A TLS server on 127.0.0.1 with a fresh self-signed certificate for
// "converge-test.example" (plus subjectAltName `san` when given). It serves
// `connections` connections one after the other: after a handshake it reads up to
// `requests` requests and answers each 200 "{}", the last with Connection: close;
// a handshake the client aborts just ends the connection.
class SelfSignedTlsServer {
 public:
  explicit SelfSignedTlsServer(int connections, const std::string& san = "", int requests = 1) {
    key_ = EVP_EC_gen("P-256");
    cert_ = X509_new();
    X509_set_version(cert_, X509_VERSION_3);
    ASN1_INTEGER_set(X509_get_serialNumber(cert_), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert_), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert_), 3600);
    X509_set_pubkey(cert_, key_);
    X509_NAME* name = X509_get_subject_name(cert_);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>("converge-test.example"), -1,
                               -1, 0);
    X509_set_issuer_name(cert_, name);
    if (!san.empty()) {
      X509V3_CTX v3;
      X509V3_set_ctx(&v3, cert_, cert_, nullptr, nullptr, 0);
      X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, NID_subject_alt_name, san.c_str());
      X509_add_ext(cert_, ext, -1);
      X509_EXTENSION_free(ext);
    }
    X509_sign(cert_, key_, EVP_sha256());
    ctx_ = SSL_CTX_new(TLS_server_method());
    SSL_CTX_use_certificate(ctx_, cert_);
    SSL_CTX_use_PrivateKey(ctx_, key_);

    fd_ = test_support::ListenOnLoopback(4, &port_);
    thread_ = std::thread([this, connections, requests] {
      for (int i = 0; i < connections; ++i) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        SSL* ssl = SSL_new(ctx_);
        SSL_set_fd(ssl, client);
        if (SSL_accept(ssl) == 1) {
          if (const char* sni = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name)) {
            std::lock_guard lock(mu_);
            sni_ = sni;
          }
          for (int r = 0; r < requests; ++r) {
            std::string request;
            char buffer[4096];
            while (request.find("\r\n\r\n") == std::string::npos) {
              const int n = SSL_read(ssl, buffer, sizeof(buffer));
              if (n <= 0) break;
              request.append(buffer, n);
            }
            const std::string answer =
                "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n" +
                std::string(r + 1 == requests ? "Connection: close\r\n" : "") + "\r\n{}";
            SSL_write(ssl, answer.data(), static_cast<int>(answer.size()));
          }
          SSL_shutdown(ssl);
        }
        SSL_free(ssl);
        ::close(client);
      }
    });
  }
  ~SelfSignedTlsServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
    SSL_CTX_free(ctx_);
    X509_free(cert_);
    EVP_PKEY_free(key_);
  }
  int port() const { return port_; }
  // The server name the last client sent (SNI), "" when none.
  std::string sni() const {
    std::lock_guard lock(mu_);
    return sni_;
  }
  // Writes the certificate as a PEM CA bundle to `path`.
  void WriteCertificate(const std::string& path) const {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    PEM_write_X509(f, cert_);
    std::fclose(f);
  }

 private:
  EVP_PKEY* key_ = nullptr;
  X509* cert_ = nullptr;
  SSL_CTX* ctx_ = nullptr;
  int fd_ = -1;
  int port_ = 0;
  mutable std::mutex mu_;
  std::string sni_;
  std::thread thread_;
};

class TransportErrorsTest : public CloudSimTest {
 protected:
  // A transport to https://HOST:PORT of `server` that trusts its certificate.
  std::unique_ptr<http::HttpTransport> TrustingTransport(const SelfSignedTlsServer& server,
                                                         const std::string& host) {
    http::HttpTransportOptions options;
    options.endpoint = "https://" + host + ":" + std::to_string(server.port());
    options.request_timeout = std::chrono::milliseconds(3000);
    options.ca_file = dir_.Path("ca.pem");
    server.WriteCertificate(options.ca_file);
    auto transport = http::MakeHttpTransport(options);
    EXPECT_TRUE(transport) << transport.error().message;
    return transport ? std::move(*transport) : nullptr;
  }
  int64_t Attempts(const std::string& line) const {
    const std::vector<std::string> seen = observer_.requests();
    return std::count(seen.begin(), seen.end(), line);
  }
};

TEST_F(TransportErrorsTest, RefusedConnectionIsAPlainRetryableFailure) {
  const std::string where = "127.0.0.1:" + std::to_string(ClosedPort());
  ProviderConfig c = ScnetConfig();
  c.endpoint = "http://" + where;
  auto scnet = Make(c);
  const std::string message = "connection refused by " + where +
                              " (or the host is unreachable); check the host and port in "
                              "spec.endpoint and that the service is up";

  Result<std::string> id = scnet->CreateContainerInstance(InstanceCreate("refused"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().category, Error::Category::kTransport);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().ToString(),
            "CreateContainerInstance on scnet-sim: " + message + " (code transport_error)");
  EXPECT_EQ(Attempts("scnet-sim CreateContainerInstance transport_error"), 1);

  // A read is retried: the first attempt and max_retries (3) more.
  Result<std::vector<Observed>> list = scnet->List(ResourceKind::kNotebook);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().message, message);
  EXPECT_EQ(Attempts("scnet-sim ListNotebooks transport_error"), 4);
}

// A host name whose first label is longer than DNS allows (63 octets): the resolver
// refuses it before sending any query, so the test needs no DNS server and sends
// nothing off the machine (an earlier `converge-test.invalid` asked the host's DNS).
const std::string kUnresolvableHost = std::string(64, 'x') + ".invalid";

TEST_F(TransportErrorsTest, UnresolvableHostIsAPlainRetryableFailure) {
  ProviderConfig c = TioneConfig();
  c.endpoint = "https://" + kUnresolvableHost;
  auto tione = Make(c);
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("nowhere"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().category, Error::Category::kTransport);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  EXPECT_THAT(id.error().message,
              StartsWith("could not resolve host \"" + kUnresolvableHost + "\": no such host"));
  EXPECT_THAT(id.error().message,
              EndsWith("; check the host name in spec.endpoint and the DNS configuration"));
  EXPECT_EQ(Attempts("tione-sim CreateNotebook transport_error"), 1);
}

TEST_F(TransportErrorsTest, HttpsToAPlainHttpPortIsATlsFailureNeverSent) {
  const std::string where = "127.0.0.1:" + std::to_string(sim_->Port());
  ProviderConfig c = TioneConfig();
  c.endpoint = "https://" + where;
  auto tione = Make(c);
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("plain"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().message,
            "TLS handshake with " + where +
                " failed: wrong version number; check that spec.endpoint serves https on that "
                "port and that its certificate is valid for \"127.0.0.1\" and trusted (system "
                "store or spec.caFile)");
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 0);
}

TEST_F(TransportErrorsTest, RejectedCertificateSaysWhyAndWasNeverSent) {
  SelfSignedTlsServer server(/*connections=*/2);
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  const std::string check =
      "; check that spec.endpoint serves https on that port and that its certificate is valid "
      "for \"127.0.0.1\" and trusted (system store or spec.caFile)";
  ProviderConfig c = TioneConfig();
  c.endpoint = "https://" + where;
  Result<std::string> untrusted = Make(c)->CreateTiOneNotebook(TiOneCreate("untrusted"));
  ASSERT_FALSE(untrusted);
  EXPECT_EQ(untrusted.error().code, "transport_error");
  EXPECT_TRUE(untrusted.error().retryable);
  EXPECT_FALSE(untrusted.error().outcome_unknown);
  EXPECT_EQ(untrusted.error().message, "TLS handshake with " + where +
                                           " failed: certificate verify failed (self-signed "
                                           "certificate)" +
                                           check);

  // Trusted through spec.caFile, but issued for another name than 127.0.0.1.
  c.ca_file = dir_.Path("ca.pem");
  server.WriteCertificate(c.ca_file);
  Result<std::string> other_host = Make(c)->CreateTiOneNotebook(TiOneCreate("other-host"));
  ASSERT_FALSE(other_host);
  EXPECT_FALSE(other_host.error().outcome_unknown);
  EXPECT_EQ(other_host.error().message,
            "TLS handshake with " + where +
                " failed: certificate verify failed (the certificate is not issued for this host "
                "name)" +
                check);
  EXPECT_EQ(Attempts("tione-sim CreateNotebook transport_error"), 2);
}

// The name verified is the endpoint's host, never the Host header with its port
// (which made every https endpoint with an explicit port fail with the HTTP library used before).
TEST_F(TransportErrorsTest, HttpsWithAnExplicitPortVerifiesTheHostName) {
  SelfSignedTlsServer server(/*connections=*/1, "IP:127.0.0.1");
  std::unique_ptr<http::HttpTransport> transport = TrustingTransport(server, "127.0.0.1");
  ASSERT_NE(transport, nullptr);
  http::HttpRequest request;
  request.fresh_connection = true;
  Result<http::HttpResponse> answer = transport->Send(request);
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 200);
  EXPECT_EQ(answer->body, "{}");
}

// Requests after the first reuse the TLS connection: the server accepts one
// connection only, so a second one would never be answered.
TEST_F(TransportErrorsTest, HttpsKeepsTheConnectionAlive) {
  SelfSignedTlsServer server(/*connections=*/1, "IP:127.0.0.1", /*requests=*/3);
  std::unique_ptr<http::HttpTransport> transport = TrustingTransport(server, "127.0.0.1");
  ASSERT_NE(transport, nullptr);
  for (int i = 0; i < 3; ++i) {
    Result<http::HttpResponse> answer = transport->Send(http::HttpRequest{});
    ASSERT_TRUE(answer) << "request " << i << ": " << answer.error().message;
    EXPECT_EQ(answer->body, "{}");
  }
  EXPECT_EQ(server.sni(), "");  // no SNI for an IP address
}

// A host name is sent as SNI and verified against the certificate's DNS names;
// "localhost" may resolve to ::1 first, where nothing listens.
TEST_F(TransportErrorsTest, HttpsToAHostNameSendsSniAndVerifiesTheName) {
  SelfSignedTlsServer server(/*connections=*/1, "DNS:localhost");
  std::unique_ptr<http::HttpTransport> transport = TrustingTransport(server, "localhost");
  ASSERT_NE(transport, nullptr);
  Result<http::HttpResponse> answer = transport->Send(http::HttpRequest{});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(server.sni(), "localhost");
}

}  // namespace
}  // namespace converge::cloud::testing

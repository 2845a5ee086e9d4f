#include "cloud/http/tls_client.h"

#include <arpa/inet.h>
#include <openssl/err.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <fstream>

namespace converge::cloud::http {
namespace {

bool IsIpLiteral(const std::string& host) {
  unsigned char address[sizeof(in6_addr)];
  return ::inet_pton(AF_INET, host.c_str(), address) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), address) == 1;
}

Error InvalidConfig(std::string message) {
  Error e;
  e.category = Error::Category::kInvalid;
  e.message = std::move(message);
  return e;
}

}  // namespace

Result<std::unique_ptr<TlsClient>> TlsClient::Make(const std::string& ca_file) {
  if (!ca_file.empty() && !std::ifstream(ca_file).good()) {
    return std::unexpected(InvalidConfig(
        "CA file \"" + ca_file + "\" cannot be read; point ca_file at a readable PEM bundle"));
  }
  SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
  if (ctx == nullptr) {
    return std::unexpected(InvalidConfig("cannot set up TLS: " + TakeTlsError()));
  }
  std::unique_ptr<TlsClient> client(new TlsClient(ctx));
  SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
  SSL_CTX_set_verify(ctx, SSL_VERIFY_PEER, nullptr);
  SSL_CTX_set_default_verify_paths(ctx);
  ERR_clear_error();  // a missing system store is no error while ca_file may serve
  if (!ca_file.empty() && SSL_CTX_load_verify_locations(ctx, ca_file.c_str(), nullptr) != 1) {
    const std::string why = TakeTlsError();
    return std::unexpected(InvalidConfig("CA file \"" + ca_file +
                                         "\" holds no certificate OpenSSL can load (" + why +
                                         "); point ca_file at a PEM bundle"));
  }
  return client;
}

TlsClient::~TlsClient() { SSL_CTX_free(ctx_); }

SSL* TlsClient::NewSession(int fd, const std::string& host) const {
  SSL* ssl = SSL_new(ctx_);
  if (ssl == nullptr) return nullptr;
  bool ok = SSL_set_fd(ssl, fd) == 1;
  if (IsIpLiteral(host)) {
    ok = ok && X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
  } else {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
    ok = ok && SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 &&
         SSL_set1_host(ssl, host.c_str()) == 1;
  }
  if (!ok) {
    SSL_free(ssl);
    return nullptr;
  }
  return ssl;
}

std::string CertificateProblem(const SSL* ssl) {
  const long result = SSL_get_verify_result(ssl);
  switch (result) {
    case X509_V_OK:
      return "";
    case X509_V_ERR_HOSTNAME_MISMATCH:
    case X509_V_ERR_IP_ADDRESS_MISMATCH:
      return "the certificate is not issued for this host name";
    default:
      return X509_verify_cert_error_string(result);
  }
}

std::string TakeTlsError() {
  const unsigned long code = ERR_peek_error();
  ERR_clear_error();
  if (code == 0) return "";
  if (ERR_GET_LIB(code) == ERR_LIB_SSL &&
      ERR_GET_REASON(code) == SSL_R_UNEXPECTED_EOF_WHILE_READING) {
    return "";
  }
  const char* reason = ERR_reason_error_string(code);
  return reason != nullptr ? reason : "OpenSSL error " + std::to_string(code);
}

}  // namespace converge::cloud::http

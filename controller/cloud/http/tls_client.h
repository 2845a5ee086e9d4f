// The TLS client side of the socket transport: one OpenSSL context per transport
// (TLS 1.2 or later, the system trust store plus an optional CA file, the peer's
// certificate always verified) and the per-connection settings (SNI, the name or
// IP address the certificate must be issued for).
#pragma once

#include <openssl/ssl.h>

#include <memory>
#include <string>

#include "cloud/error.h"

namespace converge::cloud::http {

class TlsClient {
 public:
  // Error category kInvalid when ca_file (optional) cannot be read or holds no
  // certificate OpenSSL can load. There is no way to turn verification off.
  static Result<std::unique_ptr<TlsClient>> Make(const std::string& ca_file);
  ~TlsClient();
  TlsClient(const TlsClient&) = delete;
  TlsClient& operator=(const TlsClient&) = delete;

  // A client session on the connected socket `fd` that verifies the peer's
  // certificate against `host`: a DNS name (also sent as SNI) or an IP literal
  // (verified as an IP address, no SNI). nullptr when OpenSSL cannot make one.
  // Thread-safe.
  SSL* NewSession(int fd, const std::string& host) const;

 private:
  explicit TlsClient(SSL_CTX* ctx) : ctx_(ctx) {}
  SSL_CTX* ctx_;
};

// Why verification of the peer's certificate failed on `ssl` (OpenSSL's text, e.g.
// "self-signed certificate", or "the certificate is not issued for this host
// name"), "" when it did not fail.
std::string CertificateProblem(const SSL* ssl);

// OpenSSL's reason for the oldest error queued on this thread, "" when none; clears
// the queue. An unexpected end of file reads as "" (the peer closed the connection).
std::string TakeTlsError();

}  // namespace converge::cloud::http

#include "cloud/http/cpprest_transport.h"

#include <fstream>
#include <map>
#include <mutex>

#include <cpprest/http_client.h>
#include <openssl/ssl.h>
#include <openssl/x509_vfy.h>
#include <boost/asio/ssl.hpp>

#include "cloud/http/bounded_buffer.h"
#include "cloud/http/transport_failure.h"

namespace converge::cloud::http {
namespace {

namespace whttp = web::http;

// The last reason a server certificate was rejected, per name sent as SNI,
// process-wide: OpenSSL hands the verification callback no pointer to the
// request, and every connection to one host sees the same certificate.
class CertificateProblems {
 public:
  static void Record(std::string host, std::string problem) {
    std::lock_guard lock(mu());
    problems()[std::move(host)] = std::move(problem);
  }
  static std::string For(const std::string& host) {
    std::lock_guard lock(mu());
    auto it = problems().find(host);
    return it == problems().end() ? std::string() : it->second;
  }

 private:
  static std::mutex& mu() {
    static std::mutex m;
    return m;
  }
  static std::map<std::string, std::string>& problems() {
    static auto* p = new std::map<std::string, std::string>();
    return *p;
  }
};

// OpenSSL's whole-chain verification, wrapped to note why it failed.
int VerifyAndNoteProblem(X509_STORE_CTX* store, void*) {
  const int ok = X509_verify_cert(store);

  if (ok <= 0) {
    auto* ssl =
        static_cast<SSL*>(X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx()));
    const char* host =
        ssl != nullptr ? SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name) : nullptr;
    const int error = X509_STORE_CTX_get_error(store);
    // cpprestsdk's own check rejects a chain OpenSSL accepted only when the
    // certificate does not name the host; OpenSSL then reports "unspecified".
    CertificateProblems::Record(host != nullptr ? host : "",
                                error == X509_V_ERR_UNSPECIFIED
                                    ? "the certificate is not issued for this host name"
                                    : X509_verify_cert_error_string(error));
  }
  return ok;
}

class CpprestTransport : public HttpTransport {
 public:
  CpprestTransport(Endpoint endpoint, whttp::client::http_client_config config,
                   std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)),
        timeout_(timeout),
        client_(web::uri(endpoint_.base_url), config) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    try {
      whttp::http_request req(request.method);
      req.set_request_uri(web::uri(request.target));
      // No Host header of ours: cpprestsdk writes Endpoint::host_header itself, and
      // would take ours, port included, as the TLS name to send and verify.
      for (const auto& [name, value] : request.headers) req.headers().add(name, value);
      if (!request.body.empty() || !request.content_type.empty()) {
        req.set_body(request.body, request.content_type);
      }
      auto buffer = std::make_shared<BoundedBuffer>(kMaxAnswerBytes);
      req.set_response_stream(concurrency::streams::streambuf<uint8_t>(buffer));
      pplx::cancellation_token_source cancel;
      whttp::http_response resp;
      Result<std::string> body;
      if (request.fresh_connection) {
        whttp::client::http_client once(client_.base_uri(), client_.client_config());
        resp = once.request(req, cancel.get_token()).get();
        body = ReadBody(resp, *buffer, cancel);
      } else {
        resp = client_.request(req, cancel.get_token()).get();
        body = ReadBody(resp, *buffer, cancel);
      }
      if (!body) return std::unexpected(std::move(body.error()));
      HttpResponse out;
      out.status = resp.status_code();
      out.body = std::move(*body);
      return out;
    } catch (const whttp::http_exception& ex) {
      LibraryFailure failure{ex.error_code(), ex.what(), ""};
      if (failure.what.starts_with("Error in SSL handshake")) {
        failure.certificate_problem = CertificateProblems::For(endpoint_.host);
      }
      return std::unexpected(ClassifyTransportFailure(failure, endpoint_, timeout_));
    } catch (const web::uri_exception& ex) {
      Error e;
      e.category = Error::Category::kInvalid;
      e.message = "request target is not a valid URI: " + std::string(ex.what());
      return std::unexpected(e);
    } catch (const std::exception& ex) {
      return std::unexpected(ClassifyTransportFailure({{}, ex.what()}, endpoint_, timeout_));
    }
  }

 private:
  // The body, at most kMaxAnswerBytes: an answer declaring more is cancelled at
  // once (closing the connection), and one that grows past it as it arrives is
  // stopped by the BoundedBuffer, so the rest is never read.
  Result<std::string> ReadBody(whttp::http_response& resp, BoundedBuffer& buffer,
                               pplx::cancellation_token_source& cancel) {
    const auto too_large = [&](const std::string& seen) -> Result<std::string> {
      cancel.cancel();
      Error e;
      e.category = Error::Category::kProtocol;
      e.http_status = resp.status_code();
      e.message = "the answer from " + HostPort(endpoint_) + " is larger than " +
                  std::to_string(kMaxAnswerBytes >> 20) + " MiB (" + seen +
                  "); it was abandoned unread. Check that spec.endpoint is the cloud's API";
      return std::unexpected(std::move(e));
    };
    const size_t declared = resp.headers().content_length();
    if (declared > kMaxAnswerBytes) {
      return too_large("Content-Length " + std::to_string(declared));
    }
    try {
      resp.content_ready().get();
    } catch (const std::exception&) {
      if (buffer.exceeded()) {
        return too_large("over " + std::to_string(buffer.received()) + " bytes received");
      }
      throw;
    }
    return buffer.Take();
  }

  Endpoint endpoint_;
  std::chrono::milliseconds timeout_;
  whttp::client::http_client client_;
};

}  // namespace

Result<std::unique_ptr<HttpTransport>> MakeCpprestTransport(const CpprestOptions& options) {
  Result<Endpoint> endpoint = ParseEndpoint(options.endpoint);
  if (!endpoint) return std::unexpected(endpoint.error());
  std::chrono::milliseconds timeout = options.request_timeout;
  if (timeout.count() <= 0) timeout = options.connect_timeout;
  if (timeout.count() <= 0) timeout = std::chrono::milliseconds(30000);

  whttp::client::http_client_config config;
  config.set_timeout(timeout);
  config.set_validate_certificates(true);
  if (!options.ca_file.empty() && !std::ifstream(options.ca_file).good()) {
    Error e;
    e.category = Error::Category::kInvalid;
    e.message = "CA file \"" + options.ca_file +
                "\" cannot be read; point ca_file at a readable PEM bundle";
    return std::unexpected(e);
  }
  const std::string ca_file = options.ca_file;
  config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& ctx) {
    if (!ca_file.empty()) {
      boost::system::error_code ec;
      ctx.set_default_verify_paths(ec);
      ctx.load_verify_file(ca_file, ec);
    }
    SSL_CTX_set_cert_verify_callback(ctx.native_handle(), VerifyAndNoteProblem, nullptr);
  });
  try {
    return std::unique_ptr<HttpTransport>(
        std::make_unique<CpprestTransport>(*endpoint, config, timeout));
  } catch (const std::exception& ex) {
    Error e;
    e.category = Error::Category::kInvalid;
    e.message = "cannot build an HTTP client for " + endpoint->base_url + ": " + ex.what();
    return std::unexpected(e);
  }
}

}  // namespace converge::cloud::http

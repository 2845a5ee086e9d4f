#include "cloud/http/cpprest_transport.h"

#include <cerrno>
#include <fstream>
#include <system_error>

#include <cpprest/http_client.h>
#include <boost/asio/ssl.hpp>

namespace converge::cloud::http {
namespace {

namespace whttp = web::http;

Error TransportError(std::string code, std::string message, bool maybe_sent) {
  Error e;
  e.category = Error::Category::kTransport;
  e.retryable = true;
  e.outcome_unknown = maybe_sent;
  e.code = std::move(code);
  e.message = std::move(message);
  return e;
}

// Connect-phase failures: the request cannot have reached the server.
bool NeverSent(const std::error_code& ec) {
  switch (ec.value()) {
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ENETUNREACH:
    case EADDRNOTAVAIL:
      return true;
    default:
      return false;
  }
}

class CpprestTransport : public HttpTransport {
 public:
  CpprestTransport(Endpoint endpoint, whttp::client::http_client_config config,
                   std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)),
        timeout_(timeout),
        client_(web::uri(endpoint_.base_url), config) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
    const std::string where = endpoint_.base_url;
    try {
      std::string out_body;
      whttp::http_request req(request.method);
      req.set_request_uri(web::uri(request.target));
      req.headers().add("Host", endpoint_.host_header);
      for (const auto& [name, value] : request.headers) req.headers().add(name, value);
      if (!request.body.empty() || !request.content_type.empty()) {
        req.set_body(request.body, request.content_type);
      }
      whttp::http_response resp;
      if (request.fresh_connection) {
        whttp::client::http_client once(client_.base_uri(), client_.client_config());
        resp = once.request(req).get();
        out_body = resp.extract_utf8string(true).get();
      } else {
        resp = client_.request(req).get();
        out_body = resp.extract_utf8string(true).get();
      }
      HttpResponse out;
      out.status = resp.status_code();
      out.body = std::move(out_body);
      return out;
    } catch (const whttp::http_exception& ex) {
      const std::error_code ec = ex.error_code();
      if (ec.value() == ETIMEDOUT) {
        return std::unexpected(TransportError(
            "timeout",
            "no answer from " + where + " within " + std::to_string(timeout_.count()) +
                " ms; check the endpoint's reachability or raise the request timeout",
            true));
      }
      const bool never_sent = NeverSent(ec);
      return std::unexpected(TransportError(
          "transport_error",
          "HTTP exchange with " + where + " failed: " + ec.message() +
              (never_sent ? "; check the provider endpoint and that the service is up"
                          : "; the connection broke after the request was sent"),
          !never_sent));
    } catch (const web::uri_exception& ex) {
      Error e;
      e.category = Error::Category::kInvalid;
      e.message = "request target is not a valid URI: " + std::string(ex.what());
      return std::unexpected(e);
    } catch (const std::exception& ex) {
      return std::unexpected(TransportError(
          "transport_error", "HTTP exchange with " + where + " failed: " + ex.what(), true));
    }
  }

 private:
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
  if (!options.ca_file.empty()) {
    if (!std::ifstream(options.ca_file).good()) {
      Error e;
      e.category = Error::Category::kInvalid;
      e.message = "CA file \"" + options.ca_file +
                  "\" cannot be read; point ca_file at a readable PEM bundle";
      return std::unexpected(e);
    }
    const std::string ca_file = options.ca_file;
    config.set_ssl_context_callback([ca_file](boost::asio::ssl::context& ctx) {
      boost::system::error_code ec;
      ctx.set_default_verify_paths(ec);
      ctx.load_verify_file(ca_file, ec);
    });
  }
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

#include "cloud/http/cpprest_transport.h"

#include <fstream>

#include <cpprest/http_client.h>
#include <boost/asio/ssl.hpp>

#include "cloud/http/transport_failure.h"

namespace converge::cloud::http {
namespace {

namespace whttp = web::http;

class CpprestTransport : public HttpTransport {
 public:
  CpprestTransport(Endpoint endpoint, whttp::client::http_client_config config,
                   std::chrono::milliseconds timeout)
      : endpoint_(std::move(endpoint)),
        timeout_(timeout),
        client_(web::uri(endpoint_.base_url), config) {}

  Result<HttpResponse> Send(const HttpRequest& request) override {
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
      return std::unexpected(
          ClassifyTransportFailure({ex.error_code(), ex.what()}, endpoint_, timeout_));
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

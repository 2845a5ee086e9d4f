#include "cloud/http/discovered_transport.h"

namespace converge::cloud::http {

DiscoveredTransport::DiscoveredTransport(Discover discover, Make make)
    : discover_(std::move(discover)), make_(std::move(make)) {}

std::string DiscoveredTransport::endpoint() const {
  std::lock_guard lock(endpoint_mu_);
  return endpoint_;
}

Result<HttpResponse> DiscoveredTransport::Send(const HttpRequest& request) {
  std::shared_ptr<HttpTransport> inner;
  {
    std::lock_guard lock(mu_);
    if (!inner_) {
      Result<std::string> endpoint = discover_();
      if (!endpoint) {
        Error e = std::move(endpoint.error());
        // Nothing was sent: never an unknown outcome, even for a create.
        e.outcome_unknown = false;
        e.http_status = 0;
        if (e.category == Error::Category::kProtocol) e.category = Error::Category::kServer;
        return std::unexpected(std::move(e));
      }
      Result<std::unique_ptr<HttpTransport>> made = make_(*endpoint);
      if (!made) return std::unexpected(made.error());
      inner_ = std::move(*made);
      std::lock_guard endpoint_lock(endpoint_mu_);
      endpoint_ = *endpoint;
    }
    inner = inner_;
  }
  return inner->Send(request);
}

}  // namespace converge::cloud::http

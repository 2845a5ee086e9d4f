// An HttpTransport whose endpoint is found on first use (SCNet endpoint
// discovery): until then, and while finding it fails, every Send fails with why.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>

#include "cloud/http/transport.h"

namespace converge::cloud::http {

class DiscoveredTransport : public HttpTransport {
 public:
  // `discover` returns the base URL ("https://host:port"); `make` builds the
  // transport toward it. Both are called under this transport's lock, so one
  // discovery runs at a time; a failure is retried by the next Send.
  using Discover = std::function<Result<std::string>()>;
  using Make = std::function<Result<std::unique_ptr<HttpTransport>>(const std::string& endpoint)>;
  DiscoveredTransport(Discover discover, Make make);

  Result<HttpResponse> Send(const HttpRequest& request) override;
  // The discovered endpoint, "" until found.
  std::string endpoint() const;

 private:
  const Discover discover_;
  const Make make_;
  std::mutex mu_;  // held while discovering
  std::shared_ptr<HttpTransport> inner_;
  mutable std::mutex endpoint_mu_;  // never held across I/O, so endpoint() never waits on it
  std::string endpoint_;
};

}  // namespace converge::cloud::http

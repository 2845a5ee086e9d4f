// The controller's HTTP endpoints on --metrics-addr: /metrics (Prometheus text
// format), /healthz (process alive), /readyz (specs loaded and every provider
// listed once), /status (JSON), and POST /reconcile (reset backoff, trigger a
// pass; loopback clients only unless allowed). Served on threads of their own at
// a lower priority (serve/http_listener.h); exceptions stop there.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "reconcile/controller.h"

namespace converge::serve {

struct Endpoints {
  std::function<std::string()> metrics;    // text exposition format
  std::function<nlohmann::json()> status;  // the /status document
  // Ready when it succeeds; otherwise (kUnavailable) the message says what is
  // missing.
  std::function<Status()> ready;
  // POST /reconcile: resets the named resources' backoff (every one when the list
  // is empty) and triggers a pass. Body: {"resources": ["KIND/NAME", ...]}, or
  // empty / {} for all. 200 {"reset": [{kind, provider, name}]}; 404 naming the
  // unknown names; 400 for a malformed body; 405 for other methods.
  std::function<reconcile::ResetResult(const std::vector<std::string>& names)> reconcile;
  // Without it POST /reconcile answers 403 to every peer that is not a loopback
  // address (the endpoint changes what the controller does; /metrics and
  // /status only report).
  bool allow_remote_reconcile = false;
  // POST /webhook/git (`run --git`): a push notification. Served when the request
  // carries a valid signature for `git_webhook_secret` (gitsource/webhook.h):
  // 202 and git_webhook(true) (fetch now); otherwise 401 and git_webhook(false).
  // Bodies over 1 MiB get 413. Without git_webhook, 404.
  std::function<void(bool accepted)> git_webhook;
  std::string git_webhook_secret;
};

// Why POST /reconcile is refused to `peer` (the client's IP address), or nullopt
// when it is served: without `allow_remote`, only loopback peers are served.
std::optional<std::string> ReconcileRefusal(const std::string& peer, bool allow_remote);

// Thread-safe. Serves until Stop() or destruction.
class Server {
 public:
  // address "host:port"; port 0 picks a free port (see address() once started).
  Server(std::string address, Endpoints endpoints);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // kInvalidArgument when the address is not host:port or no local address;
  // kUnavailable (retryable) when it cannot be bound, e.g. the port is in use.
  // The message says what and how to fix it.
  Status Start();
  void Stop();
  const std::string& address() const { return address_; }

 private:
  class Impl;
  std::string address_;
  Endpoints endpoints_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace converge::serve

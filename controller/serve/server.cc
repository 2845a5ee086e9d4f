#include "serve/server.h"

#include <cpprest/http_listener.h>

#include "base/log.h"
#include "base/net.h"
#include "gitsource/webhook.h"
#include "serve/coalesced.h"

namespace converge::serve {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

class Server::Impl {
 public:
  Impl(const std::string& url, Endpoints endpoints)
      : listener_(url), endpoints_(std::move(endpoints)) {
    listener_.support(methods::GET, [this](http_request req) { Handle(req); });
    listener_.support(methods::POST, [this](http_request req) { HandlePost(req); });
    listener_.support([](http_request req) { NotAllowed(req); });
  }

  Status Open() {
    try {
      listener_.open().wait();
      return {};
    } catch (const std::exception& e) {
      return std::unexpected(Error::Unavailable(e.what()));
    }
  }

  void Close() {
    try {
      listener_.close().wait();
    } catch (const std::exception& e) {
      log::Warn("metrics server close", {{"error", e.what()}});
    }
  }

 private:
  void Handle(http_request req) {
    const std::string path = req.relative_uri().path();
    try {
      if (path == "/metrics") {
        req.reply(status_codes::OK, *metrics_.Get(), "text/plain; version=0.0.4; charset=utf-8");
      } else if (path == "/healthz") {
        req.reply(status_codes::OK, "ok\n", "text/plain");
      } else if (path == "/readyz") {
        if (Status ready = endpoints_.ready(); ready) {
          req.reply(status_codes::OK, "ready\n", "text/plain");
        } else {
          req.reply(status_codes::ServiceUnavailable, "not ready: " + ready.error().message + "\n",
                    "text/plain");
        }
      } else if (path == "/status") {
        req.reply(status_codes::OK, *status_.Get(), "application/json");
      } else if (path == kReconcile || path == kGitWebhook) {
        NotAllowed(req);
      } else {
        req.reply(status_codes::NotFound,
                  "not found; try /metrics, /healthz, /readyz, /status or POST /reconcile\n",
                  "text/plain");
      }
    } catch (const std::exception& e) {
      log::Warn("serving request failed", {{"path", path}, {"error", e.what()}});
    }
  }

  static constexpr char kReconcile[] = "/reconcile";
  static constexpr char kGitWebhook[] = "/webhook/git";

  static void NotAllowed(http_request req) {
    web::http::http_response response(status_codes::MethodNotAllowed);
    const std::string path = req.relative_uri().path();
    const bool post = path == kReconcile || path == kGitWebhook;
    response.headers().add("Allow", post ? "POST" : "GET");
    response.set_body(path == kReconcile ? "use POST /reconcile (see `converge reconcile --help`)\n"
                      : post             ? "use POST /webhook/git (a git push webhook)\n"
                                         : "only GET is served here (and POST /reconcile)\n");
    req.reply(response);
  }

  static void ReplyJson(http_request& req, web::http::status_code code, const nlohmann::json& j) {
    req.reply(code, j.dump(2) + "\n", "application/json");
  }

  void HandlePost(http_request req) {
    const std::string path = req.relative_uri().path();
    try {
      if (path == kGitWebhook) {
        HandleGitWebhook(req);
        return;
      }
      if (path != kReconcile) {
        NotAllowed(req);
        return;
      }
      if (!endpoints_.reconcile) {
        ReplyJson(req, status_codes::NotImplemented, {{"error", "this server does not reconcile"}});
        return;
      }
      const std::string peer = req.remote_address();
      if (auto refusal = ReconcileRefusal(peer, endpoints_.allow_remote_reconcile)) {
        log::Warn("refused POST /reconcile from a remote peer", {{"peer", peer}});
        ReplyJson(req, status_codes::Forbidden, {{"error", *refusal}});
        return;
      }
      const std::string body = req.extract_string().get();
      std::vector<std::string> names;
      std::string bad;
      if (body.find_first_not_of(" \t\r\n") != std::string::npos) {
        const auto j = nlohmann::json::parse(body, nullptr, false);
        if (j.is_discarded() || !j.is_object()) {
          bad = "the body is not a JSON object";
        } else if (j.contains("resources")) {
          if (!j["resources"].is_array()) bad = "\"resources\" is not an array";
          for (const auto& n : j.value("resources", nlohmann::json::array())) {
            if (!n.is_string()) {
              bad = "\"resources\" holds a value that is not a string";
              break;
            }
            names.push_back(n.get<std::string>());
          }
        }
      }
      if (!bad.empty()) {
        ReplyJson(req, status_codes::BadRequest,
                  {{"error", bad + "; send {\"resources\": [\"KIND/NAME\", ...]}, or {} for "
                                   "every resource"}});
        return;
      }
      const reconcile::ResetResult result = endpoints_.reconcile(names);
      if (!result.unknown.empty()) {
        std::string list;
        for (const auto& n : result.unknown) list += (list.empty() ? "" : ", ") + n;
        ReplyJson(req, status_codes::NotFound,
                  {{"error", "no resource named " + list +
                                 "; nothing was reset (names are KIND/NAME or "
                                 "KIND/PROVIDER/NAME as `converge status` lists them)"},
                   {"unknown", result.unknown}});
        return;
      }
      nlohmann::json reset = nlohmann::json::array();
      for (const auto& r : result.reset) {
        reset.push_back({{"kind", r.kind}, {"provider", r.provider}, {"name", r.name}});
      }
      ReplyJson(req, status_codes::OK, {{"reset", reset}});
    } catch (const std::exception& e) {
      log::Warn("serving request failed", {{"path", path}, {"error", e.what()}});
    }
  }

  void HandleGitWebhook(http_request& req) {
    if (!endpoints_.git_webhook) {
      ReplyJson(req, status_codes::NotFound,
                {{"error", "no git source: start `converge run` with --git to serve webhooks"}});
      return;
    }
    const auto header = [&req](const std::string& name) {
      const auto it = req.headers().find(name);
      return it == req.headers().end() ? std::string() : it->second;
    };
    const auto too_large = [&] {
      ReplyJson(req, status_codes::RequestEntityTooLarge,
                {{"error", "webhook bodies over 1 MiB are refused"}});
    };
    if (req.headers().content_length() > gitsource::kMaxWebhookBody) return too_large();
    const std::string body = req.extract_string(true).get();
    if (body.size() > gitsource::kMaxWebhookBody) return too_large();
    if (auto refusal =
            gitsource::WebhookRefusal(endpoints_.git_webhook_secret, header("X-Hub-Signature-256"),
                                      header("X-Gitlab-Token"), body)) {
      log::Warn("refused POST /webhook/git",
                {{"reason", *refusal}, {"peer", req.remote_address()}});
      endpoints_.git_webhook(false);
      ReplyJson(req, status_codes::Unauthorized, {{"error", *refusal}});
      return;
    }
    endpoints_.git_webhook(true);
    ReplyJson(req, status_codes::Accepted, {{"fetch", "triggered"}});
  }

  web::http::experimental::listener::http_listener listener_;
  Endpoints endpoints_;
  // Concurrent scrapers share one rendering (serve/coalesced.h).
  Coalesced metrics_{[this] { return endpoints_.metrics(); }};
  Coalesced status_{[this] { return endpoints_.status().dump(2) + "\n"; }};
};

std::optional<std::string> ReconcileRefusal(const std::string& peer, bool allow_remote) {
  if (allow_remote || net::IsLoopback(peer)) return std::nullopt;
  return "POST /reconcile is served to loopback clients only; run `converge reconcile` on the "
         "controller's host, or start `converge run` with --allow-remote-reconcile";
}

Server::Server(std::string address, Endpoints endpoints)
    : address_(std::move(address)), endpoints_(std::move(endpoints)) {}

Server::~Server() { Stop(); }

Status Server::Start() {
  auto hp = net::SplitHostPort(address_);
  if (!hp) {
    return std::unexpected(Error::InvalidArgument("listen address \"" + address_ +
                                                  "\" is not host:port (e.g. 127.0.0.1:9464)"));
  }
  const auto open = [&](const std::string& url) -> Status {
    auto impl = std::make_unique<Impl>(url, endpoints_);
    if (Status opened = impl->Open(); !opened) return opened;
    impl_ = std::move(impl);
    return {};
  };
  auto port = net::BindListener(hp->host, hp->port, open);
  if (!port) {
    Error error = std::move(port.error());
    error.message = "cannot listen on " + address_ + ": " + error.message +
                    " (is another process using the port? choose one with --metrics-addr)";
    return std::unexpected(std::move(error));
  }
  address_ = net::JoinHostPort(hp->host, *port);
  return {};
}

void Server::Stop() {
  if (impl_) {
    impl_->Close();
    impl_.reset();
  }
}

}  // namespace converge::serve

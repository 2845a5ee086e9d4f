#include "serve/server.h"

#include "base/log.h"
#include "base/net.h"
#include "gitsource/webhook.h"
#include "serve/coalesced.h"
#include "serve/http_listener.h"

namespace converge::serve {
namespace {

constexpr char kReconcile[] = "/reconcile";
constexpr char kGitWebhook[] = "/webhook/git";

HttpResponse NotAllowed(const std::string& path) {
  const bool post = path == kReconcile || path == kGitWebhook;
  HttpResponse response = HttpResponse::Text(
      405, path == kReconcile ? "use POST /reconcile (see `converge reconcile --help`)\n"
           : post             ? "use POST /webhook/git (a git push webhook)\n"
                              : "only GET is served here (and POST /reconcile)\n");
  response.headers.emplace_back("Allow", post ? "POST" : "GET");
  return response;
}

HttpResponse Json(int status, const nlohmann::json& j) {
  return HttpResponse::Text(status, j.dump(2) + "\n", "application/json");
}

}  // namespace

class Server::Impl {
 public:
  explicit Impl(Endpoints endpoints) : endpoints_(std::move(endpoints)) {}

  Status Open(const std::string& url) { return listener_.Listen(url); }
  void Close() { listener_.Stop(); }

 private:
  HttpResponse Handle(const HttpRequest& req) {
    if (req.method == "POST") return HandlePost(req);
    if (req.method != "GET" || req.path == kReconcile || req.path == kGitWebhook) {
      return NotAllowed(req.path);
    }
    if (req.body_too_large) return TooLarge();
    if (req.path == "/metrics") {
      return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Get(), {}};
    }
    if (req.path == "/healthz") return HttpResponse::Text(200, "ok\n");
    if (req.path == "/readyz") {
      if (Status ready = endpoints_.ready(); !ready) {
        return HttpResponse::Text(503, "not ready: " + ready.error().message + "\n");
      }
      return HttpResponse::Text(200, "ready\n");
    }
    if (req.path == "/status") return {200, "application/json", status_.Get(), {}};
    return HttpResponse::Text(
        404, "not found; try /metrics, /healthz, /readyz, /status or POST /reconcile\n");
  }

  static HttpResponse TooLarge() {
    return Json(413, {{"error", "request bodies over 1 MiB are refused"}});
  }

  HttpResponse HandlePost(const HttpRequest& req) {
    if (req.path == kGitWebhook) return HandleGitWebhook(req);
    if (req.path != kReconcile) return NotAllowed(req.path);
    if (!endpoints_.reconcile) {
      return Json(501, {{"error", "this server does not reconcile"}});
    }
    if (auto refusal = ReconcileRefusal(req.peer, endpoints_.allow_remote_reconcile)) {
      log::Warn("refused POST /reconcile from a remote peer", {{"peer", req.peer}});
      return Json(403, {{"error", *refusal}});
    }
    if (req.body_too_large) return TooLarge();
    std::vector<std::string> names;
    std::string bad;
    if (req.body.find_first_not_of(" \t\r\n") != std::string::npos) {
      const auto j = nlohmann::json::parse(req.body, nullptr, false);
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
      return Json(400, {{"error", bad + "; send {\"resources\": [\"KIND/NAME\", ...]}, or {} for "
                                        "every resource"}});
    }
    const reconcile::ResetResult result = endpoints_.reconcile(names);
    if (!result.unknown.empty()) {
      std::string list;
      for (const auto& n : result.unknown) list += (list.empty() ? "" : ", ") + n;
      return Json(404, {{"error", "no resource named " + list +
                                      "; nothing was reset (names are KIND/NAME or "
                                      "KIND/PROVIDER/NAME as `converge status` lists them)"},
                        {"unknown", result.unknown}});
    }
    nlohmann::json reset = nlohmann::json::array();
    for (const auto& r : result.reset) {
      reset.push_back({{"kind", r.kind}, {"provider", r.provider}, {"name", r.name}});
    }
    return Json(200, {{"reset", reset}});
  }

  HttpResponse HandleGitWebhook(const HttpRequest& req) {
    if (!endpoints_.git_webhook) {
      return Json(404,
                  {{"error", "no git source: start `converge run` with --git to serve webhooks"}});
    }
    if (req.body_too_large || req.body.size() > gitsource::kMaxWebhookBody) {
      return Json(413, {{"error", "webhook bodies over 1 MiB are refused"}});
    }
    if (auto refusal = gitsource::WebhookRefusal(endpoints_.git_webhook_secret,
                                                 req.Header("x-hub-signature-256"),
                                                 req.Header("x-gitlab-token"), req.body)) {
      log::Warn("refused POST /webhook/git", {{"reason", *refusal}, {"peer", req.peer}});
      endpoints_.git_webhook(false);
      return Json(401, {{"error", *refusal}});
    }
    endpoints_.git_webhook(true);
    return Json(202, {{"fetch", "triggered"}});
  }

  Endpoints endpoints_;
  // Concurrent scrapers share one rendering (serve/coalesced.h).
  Coalesced metrics_{[this] { return endpoints_.metrics(); }};
  Coalesced status_{[this] { return endpoints_.status().dump(2) + "\n"; }};
  // Last: stopped (its threads joined) before the renderings they wait on go.
  HttpListener listener_{HttpLimits{.max_body = gitsource::kMaxWebhookBody},
                         [this](const HttpRequest& req) { return Handle(req); }};
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
  auto impl = std::make_unique<Impl>(endpoints_);
  const auto open = [&](const std::string& url) { return impl->Open(url); };
  auto port = net::BindListener(hp->host, hp->port, open);
  if (!port) {
    Error error = std::move(port.error());
    error.message = "cannot listen on " + address_ + ": " + error.message +
                    " (is another process using the port? choose one with --metrics-addr)";
    return std::unexpected(std::move(error));
  }
  impl_ = std::move(impl);
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

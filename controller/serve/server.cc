#include "serve/server.h"

#include <cpprest/http_listener.h>

#include "base/log.h"
#include "base/net.h"

namespace converge::serve {

using web::http::http_request;
using web::http::methods;
using web::http::status_codes;

class Server::Impl {
 public:
  Impl(const std::string& url, Endpoints endpoints)
      : listener_(url), endpoints_(std::move(endpoints)) {
    listener_.support(methods::GET, [this](http_request req) { Handle(req); });
    listener_.support([](http_request req) {
      req.reply(status_codes::MethodNotAllowed, "only GET is served here\n");
    });
  }

  bool Open(std::string* error) {
    try {
      listener_.open().wait();
      return true;
    } catch (const std::exception& e) {
      *error = e.what();
      return false;
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
        req.reply(status_codes::OK, endpoints_.metrics(),
                  "text/plain; version=0.0.4; charset=utf-8");
      } else if (path == "/healthz") {
        req.reply(status_codes::OK, "ok\n", "text/plain");
      } else if (path == "/readyz") {
        std::string why;
        if (endpoints_.ready(&why)) {
          req.reply(status_codes::OK, "ready\n", "text/plain");
        } else {
          req.reply(status_codes::ServiceUnavailable, "not ready: " + why + "\n", "text/plain");
        }
      } else if (path == "/status") {
        req.reply(status_codes::OK, endpoints_.status().dump(2) + "\n", "application/json");
      } else {
        req.reply(status_codes::NotFound, "not found; try /metrics, /healthz, /readyz or /status\n",
                  "text/plain");
      }
    } catch (const std::exception& e) {
      log::Warn("serving request failed", {{"path", path}, {"error", e.what()}});
    }
  }

  web::http::experimental::listener::http_listener listener_;
  Endpoints endpoints_;
};

Server::Server(std::string address, Endpoints endpoints)
    : address_(std::move(address)), endpoints_(std::move(endpoints)) {}

Server::~Server() { Stop(); }

bool Server::Start(std::string* error) {
  std::string host;
  int port = 0;
  if (!net::SplitHostPort(address_, &host, &port)) {
    *error = "listen address \"" + address_ + "\" is not host:port (e.g. 127.0.0.1:9464)";
    return false;
  }
  std::string why;
  const auto open = [&](const std::string& url, std::string* reason) {
    auto impl = std::make_unique<Impl>(url, endpoints_);
    if (!impl->Open(reason)) return false;
    impl_ = std::move(impl);
    return true;
  };
  if (net::BindListener(host, port, open, &port, &why)) {
    address_ = net::JoinHostPort(host, port);
    return true;
  }
  *error = "cannot listen on " + address_ + ": " + why +
           " (is another process using the port? choose one with --metrics-addr)";
  return false;
}

void Server::Stop() {
  if (impl_) {
    impl_->Close();
    impl_.reset();
  }
}

}  // namespace converge::serve

// The controller's HTTP endpoints on --metrics-addr: /metrics (Prometheus text
// format), /healthz (process alive), /readyz (specs loaded and every provider
// listed once), /status (JSON). cpprestsdk's listener; its exceptions stop here.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace converge::serve {

struct Endpoints {
  std::function<std::string()> metrics;    // text exposition format
  std::function<nlohmann::json()> status;  // the /status document
  // Ready when it returns true; otherwise `why` says what is missing.
  std::function<bool(std::string* why)> ready;
};

// Thread-safe. Serves until Stop() or destruction.
class Server {
 public:
  // address "host:port"; port 0 picks a free port (see address() once started).
  Server(std::string address, Endpoints endpoints);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // False with `error` when the address cannot be bound (what and how to fix).
  bool Start(std::string* error);
  void Stop();
  const std::string& address() const { return address_; }

 private:
  class Impl;
  std::string address_;
  Endpoints endpoints_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace converge::serve

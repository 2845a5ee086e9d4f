// The simulator's internals, shared by simulator.cc (listener, routing, admin
// endpoints, fault delivery) and each cloud's HTTP front (scnet_api.cc,
// tione_api.cc). Internal.
#pragma once

#include <atomic>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include <cpprest/http_listener.h>

#include "base/clock.h"
#include "base/random.h"
#include "sim/faults.h"
#include "sim/scnet_tokens.h"
#include "sim/simulator.h"
#include "sim/stats.h"
#include "sim/tione_world.h"
#include "sim/world.h"

namespace converge::sim {

// A decoded HTTP request.
struct Request {
  std::string method;
  std::string path;
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  // When the request arrived (before it waited for the body or the simulator's lock).
  SteadyTime arrived{};

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

struct Answer {
  int status = 200;
  std::string body;
};

// `s` without leading and trailing spaces and tabs.
std::string Trim(const std::string& s);

class Simulator::Impl {
 public:
  explicit Impl(SimOptions options);
  ~Impl() { Stop(); }

  Status Start();
  void Stop();
  std::string BaseUrl() const { return "http://" + authority_; }
  int Port() const { return port_; }

  json Stats() const;
  Status SetFaults(const json& faults);
  json Faults() const;
  Status ForceState(const json& request);
  Status SetCredentials(const json& request);
  void Reset(bool state);
  json State();
  json ListInstances();

 private:
  using http_request = web::http::http_request;

  void Handle(http_request req);
  void Serve(http_request& req, const Request& r);
  Answer Admin(const Request& r);
  // scnet_api.cc: `op` is the SCNet operation the path names.
  void ServeScnet(http_request& req, const Request& r, const std::string& op);
  // scnet_api.cc: the account host's operations (ObtainToken, RenewToken,
  // TokenState, DescribeCenter), under mu_.
  ScnetReply ServeScnetAccount(const Request& r, const std::string& op);
  // tione_api.cc.
  void ServeTione(http_request& req, const Request& r);
  std::optional<TioneReply> VerifyTc3(const Request& r);
  void Deliver(http_request& req, FaultMode mode, const Answer& answer);
  // Waits `d`, cut short by Stop().
  void Pause(std::chrono::milliseconds d);

  SimOptions options_;
  Clock* clock_;
  RealRandom random_;

  mutable std::mutex mu_;
  World world_;
  ScnetTokens tokens_;
  FaultSet faults_;
  json fixture_ = json::object();
  CloudStats scnet_;
  CloudStats tione_;
  std::vector<http_request> held_;

  std::unique_ptr<web::http::experimental::listener::http_listener> listener_;
  std::string authority_ = "127.0.0.1:0";  // host:port ([host]:port for IPv6)
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int> in_flight_{0};
};

}  // namespace converge::sim

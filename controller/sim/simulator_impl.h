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
#include "sim/request.h"
#include "sim/scnet_tokens.h"
#include "sim/simulator.h"
#include "sim/stats.h"
#include "sim/tione_world.h"
#include "sim/world.h"

namespace converge::sim {

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
  // Simulator::Dispatch.
  Answer Dispatch(const Request& r);

 private:
  using http_request = web::http::http_request;

  void Handle(http_request req);
  Answer Admin(const Request& r);
  // scnet_api.cc: `op` is the SCNet operation the path names.
  Answer ServeScnet(const Request& r, const std::string& op);
  // scnet_api.cc: the account host's operations (ObtainToken, RenewToken,
  // TokenState, DescribeCenter), under mu_.
  ScnetReply ServeScnetAccount(const Request& r, const std::string& op);
  // tione_api.cc.
  Answer ServeTione(const Request& r);
  // Sends `answer` with its delivery fault.
  void Deliver(http_request& req, const Answer& answer);
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

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

#include "base/clock.h"
#include "base/random.h"
#include "serve/http_listener.h"
#include "sim/faults.h"
#include "sim/request.h"
#include "sim/scnet_tokens.h"
#include "sim/simulator.h"
#include "sim/stats.h"
#include "sim/tione_world.h"
#include "sim/world.h"

namespace converge::sim {

// How the simulator's listener serves. It stands in for a cloud that chaos and
// load tests drive hard: more connections than the controller's endpoints take,
// bodies up to the clouds' answer limit, and the 30 s timeouts it always had.
inline constexpr serve::HttpLimits kListenerLimits{
    .max_head = 64 * 1024,
    .max_body = 16 << 20,
    .max_connections = 512,
    .concurrent_sends = 512,
    .idle_timeout = std::chrono::seconds(30),
    .request_timeout = std::chrono::seconds(30),
};

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
  // http_front.cc: decodes the request, dispatches it, delivers the answer with
  // its fault.
  serve::HttpResponse Handle(const serve::HttpRequest& req);
  Answer Admin(const Request& r);
  // scnet_api.cc: `op` is the SCNet operation the path names.
  Answer ServeScnet(const Request& r, const std::string& op);
  // scnet_api.cc: the account host's operations (ObtainToken, RenewToken,
  // TokenState, DescribeCenter), under mu_.
  ScnetReply ServeScnetAccount(const Request& r, const std::string& op);
  // tione_api.cc.
  Answer ServeTione(const Request& r);
  // http_front.cc: `answer` as sent with its delivery fault (a "hang" waits here
  // until Stop()).
  serve::HttpResponse Deliver(const Answer& answer);
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

  std::unique_ptr<serve::HttpListener> listener_;
  std::string authority_ = "127.0.0.1:0";  // host:port ([host]:port for IPv6)
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::mutex pause_mu_;
  std::condition_variable pause_cv_;
  std::atomic<int> in_flight_{0};
};

}  // namespace converge::sim

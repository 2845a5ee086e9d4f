// The embedded simulator of SCNet and TI-ONE: one HTTP listener on loopback that
// speaks both clouds' real wire formats (seeds/ and API-NOTES.md), with state,
// lifecycles, credential checks, rate limits and fault injection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

namespace converge::sim {

// Credentials the simulator accepts; `converge run --sim` points providers at them.
inline constexpr char kTestScnetToken[] = "sim-scnet-token";
inline constexpr char kTestSecretId[] = "AKIDsimulatorTESTSECRETID0000000";
inline constexpr char kTestSecretKey[] = "simulatorTESTSECRETKEY0000000000";
inline constexpr char kTestRegion[] = "ap-shanghai";

struct SimOptions {
  std::string address = "127.0.0.1:8089";  // host:port; port 0 picks a free port
  // Lifecycle delays (each state lasts this long before the next).
  std::chrono::milliseconds instance_waiting{300};    // Waiting -> Deploying
  std::chrono::milliseconds instance_deploying{500};  // Deploying -> Running
  std::chrono::milliseconds notebook_restarting{500}; // SCNet Restarting -> Running
  std::chrono::milliseconds tione_starting{500};      // Submitting/Starting -> Running
  std::chrono::milliseconds tione_stopping{300};      // Stopping -> Stopped
  double tione_rate_limit = 20;  // requests per second per cloud; 0 = unlimited
  double scnet_rate_limit = 0;
  std::string fixture_file;      // initial state (JSON), optional
  nlohmann::json faults;         // initial fault config, same shape as POST /_sim/faults
  int64_t clock_skew_tolerance_seconds = 300;
};

// Thread-safe. Start() binds and serves until Stop() or destruction.
class Simulator {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds the listener. False (with `error` set) when the address is unusable or
  // the fixture cannot be loaded.
  bool Start(std::string* error);
  void Stop();
  // "http://127.0.0.1:PORT" once started.
  std::string BaseUrl() const;
  int Port() const;
  // The same JSON GET /_sim/stats returns.
  nlohmann::json Stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace converge::sim

// The embedded simulator of SCNet and TI-ONE: one HTTP listener on loopback that
// speaks both clouds' real wire formats (README "Cloud clients"; the API documents'
// own examples are in tests/fixtures/seeds/), with state,
// lifecycles, credential checks, rate limits and fault injection.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "base/result.h"
#include "sim/request.h"

namespace converge {
class Clock;
}

namespace converge::sim {

// Credentials the simulator accepts; `converge run --sim` points providers at them.
inline constexpr char kTestScnetToken[] = "sim-scnet-token";
// The SCNet test account for access-key mode (spec.auth) and its one cluster,
// whose aiUrls point back at the simulator.
inline constexpr char kTestScnetUser[] = "simuser";
inline constexpr char kTestScnetAccessKey[] = "sim-access-key";
inline constexpr char kTestScnetSecretKey[] = "sim-secret-key";
// A second key of the same account, to test rotating from one key to another.
inline constexpr char kTestScnetAccessKey2[] = "sim-access-key-2";
inline constexpr char kTestScnetSecretKey2[] = "sim-secret-key-2";
inline constexpr char kTestScnetCluster[] = "sim-kunshan";
inline constexpr char kTestScnetClusterId[] = "11112";
inline constexpr char kTestSecretId[] = "AKIDsimulatorTESTSECRETID0000000";
inline constexpr char kTestSecretKey[] = "simulatorTESTSECRETKEY0000000000";
inline constexpr char kTestRegion[] = "ap-shanghai";
// The TC3 credential-scope service the simulator expects (as the real endpoint).
inline constexpr char kTioneService[] = "tione";
inline constexpr char kTioneVersion[] = "2021-11-11";

struct SimOptions {
  std::string address = "127.0.0.1:8089";  // host:port; port 0 picks a free port
  // Lifecycle delays (each state lasts this long before the next).
  std::chrono::milliseconds instance_waiting{300};     // Waiting -> Deploying
  std::chrono::milliseconds instance_deploying{500};   // Deploying -> Running
  std::chrono::milliseconds notebook_restarting{500};  // SCNet Restarting/Creating -> Running
  std::chrono::milliseconds notebook_shutting{300};    // SCNet Shutting -> Terminated
  std::chrono::milliseconds tione_starting{500};       // Submitting/Starting -> Running
  std::chrono::milliseconds tione_stopping{300};       // Stopping -> Stopped
  double tione_rate_limit = 20;  // requests per second per cloud; 0 = unlimited
  double scnet_rate_limit = 0;
  std::string fixture_file;  // initial state (JSON), optional
  nlohmann::json faults;     // initial fault config, same shape as POST /_sim/faults
  int64_t clock_skew_tolerance_seconds = 300;  // TC3 and SCNet access-key timestamps
  // Lifetime of the SCNet tokens the account endpoints issue (expireTime).
  std::chrono::milliseconds scnet_token_ttl = std::chrono::hours(24);
  // The TI-ONE credentials accepted (POST /_sim/credentials replaces them while
  // serving, to test rotation). An empty session token: X-TC-Token is ignored;
  // otherwise every request must carry exactly it (temporary credentials).
  std::string tione_secret_id = kTestSecretId;
  std::string tione_secret_key = kTestSecretKey;
  std::string tione_session_token;
  // Key of the SCNet container-instance list page: "list" or "records" (the real
  // shape is unconfirmed; clients must accept both). Default: "list".
  std::string instance_list_key = "list";
  // Time source for lifecycles, TC3 timestamp checks and rate limits. Not owned;
  // must outlive the simulator. Default (nullptr): the real clock.
  Clock* clock = nullptr;
  // Seed for ids, passwords and fault draws; 0 = nondeterministic.
  uint64_t random_seed = 0;
};

// Thread-safe. Start() binds and serves until Stop() or destruction.
class Simulator {
 public:
  explicit Simulator(SimOptions options);
  ~Simulator();
  Simulator(const Simulator&) = delete;
  Simulator& operator=(const Simulator&) = delete;

  // Binds the listener. kInvalidArgument when the address, the fixture or the
  // faults are invalid; kIOError when the fixture file cannot be read;
  // kUnavailable (retryable) when the port is in use.
  Status Start();
  // Stops serving; returns within about a second even with requests in flight
  // (held "hang" requests are released, injected latencies cut short). Idempotent.
  void Stop();
  // "http://127.0.0.1:PORT" once started.
  std::string BaseUrl() const;
  int Port() const;
  // The same JSON GET /_sim/stats returns.
  nlohmann::json Stats() const;

  // In-process admin API; each mirrors an endpoint under /_sim/.
  // POST /_sim/faults: replaces the fault rules. kInvalidArgument when invalid.
  Status SetFaults(const nlohmann::json& faults);
  // POST /_sim/state: forces a resource's status, e.g.
  // {"cloud":"scnet","kind":"instance","name":"x","status":"Failed"} (kind: instance |
  // notebook; "id" may replace "name"). kInvalidArgument when malformed,
  // kNotFound when nothing matches.
  Status ForceState(const nlohmann::json& request);
  // POST /_sim/credentials: changes the credentials accepted while serving (to
  // test rotation and revocation), {"tione": {"secretId"?, "secretKey"?,
  // "sessionToken"?}, "scnet": {"accessKey": KEY, "revoked"?: true|false}}, each
  // part optional (at least one). tione: replaces the TI-ONE credentials; ""
  // for sessionToken stops checking X-TC-Token. scnet: revokes (default) or
  // restores an access key: a revoked key obtains no more tokens and its tokens
  // stop working (10009). All or nothing; kNotFound for an unknown access key,
  // kInvalidArgument when malformed.
  Status SetCredentials(const nlohmann::json& request);
  // POST /_sim/reset: clears stats; with `state` also restores the initial
  // (fixture) state and every access key.
  void Reset(bool state = false);
  // GET /_sim/state: every resource with all its stored fields (instances as their detail):
  // {"scnet":{"notebooks":[...],"instances":[...]},"tione":{"notebooks":[...]}}.
  nlohmann::json State() const;
  // The SCNet container instances (list items, lifecycles evaluated now).
  nlohmann::json ListInstances() const;

  // Answers one decoded request in-process, as the listener does for each one it
  // receives (admin endpoints, SCNet, TI-ONE: credential checks, rate limits,
  // faults), without a socket: no Start() is needed. An injected latency is waited
  // for here (at once after Stop()); delivery faults are left to the caller in
  // Answer::delivery. Never throws: an internal failure is a 500 whose body is
  // {"error": "simulator failure: ..."}.
  Answer Dispatch(const Request& request);

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace converge::sim

// End-to-end test harness: real `converge` processes (sim, run, apply) talking
// HTTP on loopback. Every wait is bounded; every process is killed on teardown.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/http.h"
#include "support/poll.h"
#include "support/temp_dir.h"

namespace converge::e2e {

// A child process with its stdout and stderr in one log file.
class Process {
 public:
  Process(std::vector<std::string> argv, std::string log_file,
          std::map<std::string, std::string> env = {});
  ~Process();  // SIGKILL if still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  pid_t pid() const { return pid_; }
  bool Running();
  void Signal(int sig);
  // Waits for exit up to `timeout`; the exit code (128+signal when killed), or
  // nullopt when still running.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  std::string Log() const;

 private:
  pid_t pid_ = -1;
  std::string log_file_;
  std::optional<int> exit_code_;
};

// GET/POST on loopback (support/http.h); status 0 when the request failed.
using test_support::Get;
using test_support::Post;

// Polls a condition until true or a timeout (support/poll.h).
using test_support::WaitFor;

// A unique scratch directory removed on destruction (support/temp_dir.h).
using test_support::TempDir;

// `converge sim` on a free loopback port, fast lifecycles.
class SimProcess {
 public:
  explicit SimProcess(const TempDir& dir, std::vector<std::string> extra_args = {},
                      const std::string& fixture_json = "");
  const std::string& url() const { return url_; }
  nlohmann::json Stats() const;
  nlohmann::json State() const;
  void ResetStats() const;
  // POST /_sim/state, e.g. {"cloud":"scnet","kind":"notebook","name":"x","status":"Terminated"}.
  void Force(const nlohmann::json& request) const;
  // SCNet container instances / notebooks / TI-ONE notebooks named `name`.
  int CountInstances(const std::string& name) const;
  int64_t Calls(const std::string& cloud, const std::string& operation) const;

 private:
  std::string url_;
  std::unique_ptr<Process> process_;
};

// Provider manifests pointing at `sim` with its test credentials taken from the
// environment (see SimEnv()).
std::string ProvidersYaml(const std::string& sim_url, double qps = 50, int burst = 50);
std::map<std::string, std::string> SimEnv();
// A ContainerInstance manifest on provider "scnet" (a GPU jupyter task);
// `spec_extra` lines are appended to its spec.
std::string ScnetInstanceYaml(const std::string& name, const std::string& spec_extra = "");
// The same with its restartPolicy.
std::string InstanceYaml(const std::string& name, const std::string& restart_policy = "OnFailure");
// A TiOneNotebook manifest on provider "tione" (TI.S.MEDIUM.POST, postpaid, 10 GB)
// in `state`; `spec_extra` lines are appended to its spec.
std::string TiOneYaml(const std::string& name, const std::string& state,
                      const std::string& spec_extra = "");

std::string ConvergeBinary();

// A `converge run` on the manifests in dir/m with its journal in dir/state, serving
// on a free loopback port: --poll 300ms, --resync 60s, --create-grace 2s, then
// `extra` (a repeated flag's last value wins).
class RunProcess {
 public:
  explicit RunProcess(const TempDir& dir, std::vector<std::string> extra = {},
                      std::map<std::string, std::string> env = SimEnv());
  nlohmann::json Status() const;
  std::string StatusText() const;
  std::string Metrics() const;
  // Resources whose conditions are all True.
  size_t ReadyCount() const;
  bool AllReady(size_t expected) const;
  Process& process() { return *process_; }
  std::string Log() const { return process_->Log(); }
  const std::string& addr() const { return addr_; }

 private:
  std::string addr_;
  std::unique_ptr<Process> process_;
};

}  // namespace converge::e2e

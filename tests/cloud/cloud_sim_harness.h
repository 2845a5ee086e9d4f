// Test harness: the simulator on 127.0.0.1:0 with seven resources of each kind,
// driven by a simulated clock (started at the real time, as TC3 signatures are
// checked against it), and providers built by MakeProvider pointed at it.
#pragma once

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "cloud/config.h"
#include "cloud/provider.h"
#include "cloud/provider_factory.h"
#include "sim/simulator.h"
#include "support/temp_dir.h"

namespace converge::cloud::testing {

using nlohmann::json;

// The fake sshPassword the fixture gives notebook `i` (1-based).
inline std::string SshPassword(int i) { return "SENTINEL-ssh-pw-" + std::to_string(i) + "-q7Zk"; }

// Seven of each kind; names 1..6 plus "<prefix>-1x" so that exact matching matters.
inline json SevenOfEach() {
  json fixture = {{"scnet", {{"notebooks", json::array()}, {"instances", json::array()}}},
                  {"tione", {{"notebooks", json::array()}}}};
  auto name = [](const std::string& prefix, int i) {
    return i == 7 ? prefix + "-1x" : prefix + "-" + std::to_string(i);
  };
  for (int i = 1; i <= 7; ++i) {
    json nb = {{"notebookName", name("nb", i)},
               {"notebookStatus", i == 2 ? "Terminated" : "Running"},
               {"sshPassword", SshPassword(i)}};
    if (i == 1) {
      nb["command"] = "python serve.py --port 8080";
      nb["customsizePort"] = "8080";
    }
    fixture["scnet"]["notebooks"].push_back(nb);
    fixture["scnet"]["instances"].push_back(
        {{"instanceServiceName", name("job", i)}, {"status", i == 2 ? "Failed" : "Running"}});
    fixture["tione"]["notebooks"].push_back(
        {{"Name", name("tn", i)},
         {"Status", i == 2 ? "Stopped" : "Running"},
         {"Tags", json::array({{{"TagKey", "team"}, {"TagValue", "nlp"}}})}});
  }
  return fixture;
}

class RecordingObserver : public RequestObserver {
 public:
  void OnRequest(const std::string& provider, const std::string& operation, const std::string& code,
                 double) override {
    std::lock_guard lock(mu_);
    requests_.push_back(provider + " " + operation + " " + code);
  }
  void OnThrottled(const std::string&, double seconds) override {
    std::lock_guard lock(mu_);
    ++throttled_;
  }
  void OnCredentialsExpiry(const std::string&, double epoch_seconds) override {
    std::lock_guard lock(mu_);
    expiry_ = epoch_seconds;
  }
  void OnCredentialsRefresh(const std::string&, const std::string& result) override {
    std::lock_guard lock(mu_);
    ++refreshes_[result];
  }
  std::vector<std::string> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }
  // Credential refreshes by result ("obtained", "renewed", "failed").
  int refreshes(const std::string& result) const {
    std::lock_guard lock(mu_);
    auto it = refreshes_.find(result);
    return it == refreshes_.end() ? 0 : it->second;
  }
  double expiry() const {
    std::lock_guard lock(mu_);
    return expiry_;
  }
  int throttled() const {
    std::lock_guard lock(mu_);
    return throttled_;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  int throttled_ = 0;
  std::map<std::string, int> refreshes_;
  double expiry_ = 0;
};

class CloudSimTest : public ::testing::Test {
 protected:
  CloudSimTest() {
    options_.address = "127.0.0.1:0";
    options_.random_seed = 11;
    options_.tione_rate_limit = 0;
    options_.instance_waiting = std::chrono::milliseconds(50);
    options_.instance_deploying = std::chrono::milliseconds(50);
    options_.notebook_restarting = std::chrono::milliseconds(50);
    options_.tione_starting = std::chrono::milliseconds(50);
    options_.tione_stopping = std::chrono::milliseconds(50);
    options_.clock = &clock_;
    options_.fixture_file = dir_.Write("fixture.json", SevenOfEach().dump(2));
  }

  void SetUp() override { StartSim(); }
  void TearDown() override {
    if (sim_) sim_->Stop();
  }

  void StartSim() {
    ASSERT_FALSE(dir_.path().empty()) << "cannot create a directory in " << ::testing::TempDir();
    sim_ = std::make_unique<sim::Simulator>(options_);
    converge::Status started = sim_->Start();
    ASSERT_TRUE(started) << started.error().message;
  }

  // Restarts the simulator on the real clock, for tests of real request rates.
  void UseRealClock() {
    sim_->Stop();
    options_.clock = nullptr;
    StartSim();
  }

  // Moves the simulator's clock: its lifecycles advance, nothing waits.
  void Advance(std::chrono::milliseconds d) { clock_.Advance(d); }

  ProviderConfig ScnetConfig() const {
    ProviderConfig c;
    c.name = "scnet-sim";
    c.type = ProviderConfig::Type::kScnet;
    c.endpoint = sim_->BaseUrl();
    c.token = sim::kTestScnetToken;
    Tune(c);
    return c;
  }
  // SCNet with the simulator's access key (spec.auth), endpoint discovered.
  ProviderConfig ScnetAccessKeyConfig() const {
    ProviderConfig c;
    c.name = "scnet-ak";
    c.type = ProviderConfig::Type::kScnet;
    c.account_endpoint = sim_->BaseUrl();
    c.cluster = sim::kTestScnetCluster;
    c.scnet_access_key = ScnetAccessKeySecrets{sim::kTestScnetUser, sim::kTestScnetAccessKey,
                                               sim::kTestScnetSecretKey};
    Tune(c);
    return c;
  }
  ProviderConfig TioneConfig() const {
    ProviderConfig c;
    c.name = "tione-sim";
    c.type = ProviderConfig::Type::kTione;
    c.endpoint = sim_->BaseUrl();
    c.region = sim::kTestRegion;
    c.secret_id = sim::kTestSecretId;
    c.secret_key = sim::kTestSecretKey;
    Tune(c);
    return c;
  }
  static void Tune(ProviderConfig& c) {
    c.qps = 0;  // unlimited unless a test says otherwise
    c.page_size = 2;
    c.max_retries = 3;
    c.retry_base = std::chrono::milliseconds(10);
    c.retry_max = std::chrono::milliseconds(40);
    c.request_timeout = std::chrono::milliseconds(3000);
  }

  // `clock`: the provider's clock (default: the real one).
  std::unique_ptr<Provider> Make(const ProviderConfig& c, Clock* clock = nullptr) {
    ProviderDeps deps;
    deps.observer = &observer_;
    deps.clock = clock;
    return MakeProvider(c, deps);
  }

  void Fault(json rule) {
    converge::Status set = sim_->SetFaults({{"rules", json::array({rule})}});
    ASSERT_TRUE(set) << set.error().message;
  }
  void NoFaults() {
    converge::Status set = sim_->SetFaults(json::object());
    ASSERT_TRUE(set) << set.error().message;
  }

  // "127.0.0.1:PORT" of the simulator, as transport errors name it.
  std::string HostPort() const { return "127.0.0.1:" + std::to_string(sim_->Port()); }

  int64_t Calls(const std::string& cloud, const std::string& operation) const {
    const json stats = sim_->Stats();
    const json& calls = stats[cloud]["calls"];
    return calls.contains(operation) ? calls[operation].get<int64_t>() : 0;
  }

  test_support::TempDir dir_{"converge-cloud-sim"};
  SimulatedClock clock_{std::chrono::system_clock::now()};
  sim::SimOptions options_;
  std::unique_ptr<sim::Simulator> sim_;
  RecordingObserver observer_;
};

// A TI-ONE create request as the reconciler sends it.
inline TiOneNotebookCreate TiOneCreate(const std::string& name) {
  TiOneNotebookCreate req;
  req.name = name;
  req.charge_type = "POSTPAID_BY_HOUR";
  req.instance_type = "TI.S.MEDIUM.POST";
  req.cpu = 2000;
  req.memory = 4000;
  req.gpu = 0;
  req.image_type = "SYSTEM";
  req.image_url = "tione.tencentcloudcr.com/qcloud-ti-platform/llm-train:24.03";
  req.volume_source_type = "CLOUD_PREMIUM";
  req.volume_size_gb = 10;
  req.tags = {{"managed-by", "converge"}};
  return req;
}

// An SCNet container-instance create request (seed 003's values).
inline ContainerInstanceCreate InstanceCreate(const std::string& name) {
  ContainerInstanceCreate req;
  req.instance_service_name = name;
  req.description = "managed-by: converge";
  req.task_type = "jupyter";
  req.accelerator_type = "gpu";
  req.version = "jupyter:4.4-py3.7-cpu";
  req.image_path = "10.0.35.26:5000/gpu/admin/base/jupyter:4.4-py3.7-cpu";
  req.timeout_limit = "01:00:00";
  req.resource_group = "TeslaM40";
  req.cpu_number = 3;
  req.ram_size = 15360;
  req.gpu_number = 1;
  req.mounts = {{"/public/home/u/data", "/mnt/data", "data"}};
  req.ports = {{18888, "HTTP"}};
  return req;
}

}  // namespace converge::cloud::testing

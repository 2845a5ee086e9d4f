// Issue 15's chaos test. 1,000 resources on both clouds converge under `converge
// run` against `converge sim` (a process of its own, so a SIGKILL hits only the
// controller) while the simulator injects errors into 20 % of all calls, adds 20 to
// 100 ms of latency, and commits then drops the connection on 30 % of the creates,
// stops and deletes. The controller is SIGKILLed 4 times at random moments (3 while
// creating, 1 while pruning 100 removed resources) and restarted each time on the same
// state dir. At the end: every declared resource exists exactly once and was created
// exactly once, every pruned one is gone after exactly one delete the cloud applied,
// no call was refused for anything but an injected fault, everything is Ready, the
// journal holds no intent, and no one-second window at the simulator went above a
// provider's rate plus burst.
//
// The kill moments and the pruned subset come from a seed, printed first;
// CONVERGE_CHAOS_SEED=N replays them (the faults themselves are drawn by the
// simulator). Every wait is bounded by one deadline under the ctest TIMEOUT.
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <numeric>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "e2e/harness.h"

namespace converge::e2e {
namespace {

using Steady = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

// The population: SCNet container instances and notebook services (on notebooks
// the fixture holds, Terminated), TI-ONE notebooks; 50 + 50 of them are pruned.
constexpr int kInstances = 450;
constexpr int kServices = 50;
constexpr int kTione = 500;
constexpr int kResources = kInstances + kServices + kTione;
constexpr int kPrunedInstances = 50;
constexpr int kPrunedTione = 50;
constexpr int kKillsWhileCreating = 3;
constexpr int kKillsWhilePruning = 1;

// Each provider's rate limit; the simulator enforces qps + burst per second per
// cloud (one provider per cloud, so its busiest window is the provider's).
struct RateLimit {
  int qps;
  int burst;
};
constexpr RateLimit kScnetLimit{80, 20};
constexpr RateLimit kTioneLimit{40, 10};

// The whole test, kills and restarts included, stays under the ctest TIMEOUT (180 s).
constexpr seconds kBudget{165};

std::string Name(const std::string& prefix, int i) {
  std::ostringstream s;
  s << prefix << '-' << std::setw(3) << std::setfill('0') << i;
  return s.str();
}

std::string ServiceNotebook(int i) { return Name("svc-nb", i); }

std::string ServiceYaml(int i) {
  return "---\napiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: " +
         Name("svc", i) + "}\nspec:\n  provider: scnet\n  notebook: \"" + ServiceNotebook(i) +
         "\"\n  port: 7860\n  command: \"python app.py\"\n";
}

std::string ChaosProvidersYaml(const std::string& sim_url) {
  std::ostringstream y;
  y << "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: scnet}\nspec:\n"
    << "  type: scnet\n  endpoint: " << sim_url << "\n  token: {fromEnv: E2E_SCNET_TOKEN}\n"
    << "  rateLimit: {qps: " << kScnetLimit.qps << ", burst: " << kScnetLimit.burst << "}\n"
    << "---\napiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: tione}\nspec:\n"
    << "  type: tione\n  endpoint: " << sim_url << "\n  region: ap-shanghai\n"
    << "  secretId: {fromEnv: E2E_SECRET_ID}\n  secretKey: {fromEnv: E2E_SECRET_KEY}\n"
    << "  rateLimit: {qps: " << kTioneLimit.qps << ", burst: " << kTioneLimit.burst << "}\n";
  return y.str();
}

// The notebooks behind the services, all Terminated: each needs a start, then its service.
std::string Fixture() {
  nlohmann::json notebooks = nlohmann::json::array();
  for (int i = 0; i < kServices; ++i) {
    notebooks.push_back({{"id", std::to_string(1900000000000000000LL + i)},
                         {"notebookName", ServiceNotebook(i)},
                         {"notebookStatus", "Terminated"}});
  }
  return nlohmann::json{{"scnet", {{"notebooks", notebooks}}}}.dump();
}

// The simulator's faults: latency first (it adds up: 20 ms always, plus 40 ms twice
// at 50 %: 20, 60 or 100 ms), then errors on 20 % of every call; a drop rule fires
// only on the calls the error rule spared, so 0.375 of the remaining 80 % drops 30 %
// of all the creates, stops and deletes.
std::vector<std::string> FaultArgs() {
  std::vector<std::string> args = {"--fault", R"({"mode":"latency","latency_ms":20})",
                                   "--fault", R"({"mode":"latency","latency_ms":40,"rate":0.5})",
                                   "--fault", R"({"mode":"latency","latency_ms":40,"rate":0.5})",
                                   "--fault", "*:error:0.2"};
  for (const char* op : {"scnet/CreateContainerInstance", "scnet/StopContainerInstance",
                         "scnet/DeleteContainerInstance", "tione/CreateNotebook",
                         "tione/StopNotebook", "tione/DeleteNotebook"}) {
    args.push_back("--fault");
    args.push_back(std::string(op) + ":drop:0.375");
  }
  args.insert(args.end(), {"--scnet-rate", std::to_string(kScnetLimit.qps + kScnetLimit.burst),
                           "--tione-rate", std::to_string(kTioneLimit.qps + kTioneLimit.burst)});
  return args;
}

int64_t Answers(const nlohmann::json& stats, const std::string& cloud, const std::string& op,
                const std::string& code = "ok") {
  const auto& answers = stats[cloud]["answers"];
  if (!answers.contains(op) || !answers[op].contains(code)) return 0;
  return answers[op][code].get<int64_t>();
}

// A string field of a simulator record; "" when absent or null.
std::string Field(const nlohmann::json& record, const char* key) {
  const auto it = record.find(key);
  return it != record.end() && it->is_string() ? it->get<std::string>() : "";
}

uint64_t SeedFromEnvironment() {
  if (const char* s = std::getenv("CONVERGE_CHAOS_SEED"); s && *s) {
    return std::strtoull(s, nullptr, 10);
  }
  return std::random_device{}();
}

class ChaosTest : public ::testing::Test {
 protected:
  ChaosTest() : seed_(SeedFromEnvironment()), rng_(seed_) {
    std::cout << "chaos: seed " << seed_ << " (CONVERGE_CHAOS_SEED=" << seed_ << " replays it)"
              << std::endl;
  }

  void TearDown() override {
    const double elapsed = std::chrono::duration<double>(Steady::now() - start_).count();
    std::cout << "chaos: seed " << seed_ << ", " << kills_.size() << " SIGKILLs at";
    for (const auto& k : kills_) std::cout << " " << k;
    std::cout << "; " << elapsed << " s" << std::endl;
    if (sim_) {
      const nlohmann::json stats = sim_->Stats();
      for (const char* cloud : {"scnet", "tione"}) {
        std::cout << "chaos: " << cloud << " total_calls " << stats[cloud]["total_calls"]
                  << ", max_requests_per_second " << stats[cloud]["max_requests_per_second"]
                  << ", faults " << stats[cloud]["faults"].dump() << ", calls "
                  << stats[cloud]["calls"].dump() << std::endl;
      }
    }
    // CONVERGE_CHAOS_LOGS=DIR keeps the controller's and the simulator's logs.
    if (const char* keep = std::getenv("CONVERGE_CHAOS_LOGS"); keep && *keep) {
      std::error_code ec;
      std::filesystem::create_directories(keep, ec);
      for (const char* log : {"run.log", "sim.log"}) {
        std::filesystem::copy_file(dir_.Path(log), std::string(keep) + "/" + log,
                                   std::filesystem::copy_options::overwrite_existing, ec);
      }
    }
    if (HasFailure() && run_) {
      std::cout << "chaos: controller log tail:\n" << LogTail() << std::endl;
    }
  }

  milliseconds Remaining() const {
    return std::max(milliseconds(0),
                    std::chrono::duration_cast<milliseconds>(start_ + kBudget - Steady::now()));
  }

  std::string LogTail() const {
    const std::string log = run_->Log();
    return log.size() > 6000 ? log.substr(log.size() - 6000) : log;
  }

  void WriteResources(const std::set<std::string>& pruned) {
    std::string resources;
    for (int i = 0; i < kInstances; ++i) {
      const std::string name = Name("ci", i);
      if (!pruned.count(name)) resources += InstanceYaml(name) + "  deletionPolicy: Delete\n";
    }
    for (int i = 0; i < kServices; ++i) resources += ServiceYaml(i);
    for (int i = 0; i < kTione; ++i) {
      const std::string name = Name("nb", i);
      if (!pruned.count(name))
        resources += TiOneYaml(name, "Running", "  deletionPolicy: Delete\n");
    }
    dir_.Write("m/resources.yaml", resources);
  }

  void StartController() {
    run_ = std::make_unique<RunProcess>(
        dir_, std::vector<std::string>{"--prune", "--max-prune", "100", "--resync", "4s", "--poll",
                                       "1s", "--create-grace", "2s", "--concurrency", "16"});
  }

  // SIGKILLs the controller once `progress()` reached `at` (and moved since its
  // start, so every kill hits a controller at work), and restarts it on the same
  // state dir.
  void KillAt(const std::string& what, const std::function<int64_t()>& progress, int64_t at) {
    const int64_t before = progress();
    int64_t reached = before;
    const bool hit = WaitFor(
        [&] {
          reached = progress();
          return reached >= std::max(at, before + 1);
        },
        Remaining(), milliseconds(10));
    ASSERT_TRUE(hit) << what << " never reached " << at << " (at " << reached << ")\n" << LogTail();
    run_->process().Signal(SIGKILL);
    ASSERT_EQ(run_->process().Wait(seconds(10)), 128 + SIGKILL);
    kills_.push_back(what + "=" + std::to_string(progress()));
    StartController();
  }

  int64_t AppliedCreates() const {
    const nlohmann::json stats = sim_->Stats();
    return Answers(stats, "scnet", "CreateContainerInstance") +
           Answers(stats, "tione", "CreateNotebook");
  }

  int64_t AppliedPrunes() const {
    const nlohmann::json stats = sim_->Stats();
    return Answers(stats, "scnet", "DeleteContainerInstance") +
           Answers(stats, "tione", "StopNotebook") + Answers(stats, "tione", "DeleteNotebook");
  }

  // The cloud holds exactly `instances` and `tione` (each name once), every service's
  // notebook runs its service, /status has `resources` all Ready, and no intent is
  // left in the journal.
  bool Converged(const std::multiset<std::string>& instances,
                 const std::multiset<std::string>& tione, size_t resources, std::string* why) {
    const nlohmann::json state = sim_->State();
    std::multiset<std::string> ci, nb;
    for (const auto& i : state["scnet"]["instances"]) ci.insert(Field(i, "instanceServiceName"));
    for (const auto& n : state["tione"]["notebooks"]) nb.insert(Field(n, "Name"));
    int serving = 0;
    for (const auto& n : state["scnet"]["notebooks"]) {
      serving += Field(n, "notebookStatus") == "Running" && !Field(n, "command").empty();
    }
    const size_t ready = run_->ReadyCount();
    size_t intents = 0;
    std::error_code ec;
    for (auto it = std::filesystem::directory_iterator(dir_.Path("state/intents"), ec);
         !ec && it != std::filesystem::directory_iterator(); it.increment(ec)) {
      ++intents;
    }
    std::ostringstream s;
    s << "cloud: " << ci.size() << " instances (want " << instances.size() << "), " << nb.size()
      << " TI-ONE notebooks (want " << tione.size() << "), " << serving << " services of "
      << kServices << "; /status: " << ready << " Ready of " << resources << "; " << intents
      << " intents in the journal";
    *why = s.str();
    return ci == instances && nb == tione && serving == kServices && ready == resources &&
           run_->AllReady(resources) && intents == 0;
  }

  const uint64_t seed_;
  std::mt19937_64 rng_;
  const Steady::time_point start_ = Steady::now();
  TempDir dir_{"converge-chaos"};
  std::unique_ptr<SimProcess> sim_;
  std::unique_ptr<RunProcess> run_;
  std::vector<std::string> kills_;
};

TEST_F(ChaosTest, ThousandResourcesConvergeThroughFaultsAndSigkillsAndPruneExactlyOnce) {
  sim_ = std::make_unique<SimProcess>(dir_, FaultArgs(), Fixture());
  dir_.Write("m/providers.yaml", ChaosProvidersYaml(sim_->url()));
  WriteResources({});

  // Phase 1: everything from an empty cloud, killed while creating.
  std::vector<int64_t> create_kills;
  std::uniform_int_distribution<int64_t> create_moment(1, kInstances + kTione - 50);
  for (int i = 0; i < kKillsWhileCreating; ++i) create_kills.push_back(create_moment(rng_));
  std::sort(create_kills.begin(), create_kills.end());
  StartController();
  for (const int64_t at : create_kills) {
    ASSERT_NO_FATAL_FAILURE(KillAt(
        "creates", [&] { return AppliedCreates(); }, at));
  }
  std::multiset<std::string> instances, tione;
  for (int i = 0; i < kInstances; ++i) instances.insert(Name("ci", i));
  for (int i = 0; i < kTione; ++i) tione.insert(Name("nb", i));
  std::string why;
  ASSERT_TRUE(WaitFor([&] { return Converged(instances, tione, kResources, &why); }, Remaining(),
                      milliseconds(250)))
      << "not converged: " << why << "\n"
      << LogTail();
  const nlohmann::json created = sim_->Stats();
  EXPECT_EQ(Answers(created, "scnet", "CreateContainerInstance"), kInstances);
  EXPECT_EQ(Answers(created, "tione", "CreateNotebook"), kTione);

  // Phase 2: a random 50 + 50 removed (deletionPolicy Delete), killed while pruning.
  std::vector<int> ci_index(kInstances), nb_index(kTione);
  std::iota(ci_index.begin(), ci_index.end(), 0);
  std::iota(nb_index.begin(), nb_index.end(), 0);
  std::shuffle(ci_index.begin(), ci_index.end(), rng_);
  std::shuffle(nb_index.begin(), nb_index.end(), rng_);
  std::set<std::string> pruned;
  for (int i = 0; i < kPrunedInstances; ++i) pruned.insert(Name("ci", ci_index[i]));
  for (int i = 0; i < kPrunedTione; ++i) pruned.insert(Name("nb", nb_index[i]));
  for (const auto& name : pruned) {
    instances.erase(name);
    tione.erase(name);
  }
  // A TI-ONE notebook takes a stop and a delete, an instance one delete.
  std::uniform_int_distribution<int64_t> prune_moment(1, kPrunedInstances + 2 * kPrunedTione - 1);
  const int64_t prune_kill = prune_moment(rng_);
  const int64_t prunes_before = AppliedPrunes();
  WriteResources(pruned);
  for (int i = 0; i < kKillsWhilePruning; ++i) {
    ASSERT_NO_FATAL_FAILURE(KillAt(
        "prunes", [&] { return AppliedPrunes() - prunes_before; }, prune_kill));
  }
  const size_t declared = kResources - pruned.size();
  ASSERT_TRUE(WaitFor([&] { return Converged(instances, tione, declared, &why); }, Remaining(),
                      milliseconds(250)))
      << "not converged after pruning: " << why << "\n"
      << LogTail();

  // Exactly once: each create and each delete applied once, and no call refused for
  // anything but an injected fault (a second create of a name, a stop of a stopped
  // notebook or a delete of a deleted resource would each be refused by the cloud).
  const nlohmann::json stats = sim_->Stats();
  EXPECT_EQ(Answers(stats, "scnet", "CreateContainerInstance"), kInstances);
  EXPECT_EQ(Answers(stats, "tione", "CreateNotebook"), kTione);
  EXPECT_EQ(Answers(stats, "scnet", "DeleteContainerInstance"), kPrunedInstances);
  EXPECT_EQ(Answers(stats, "tione", "StopNotebook"), kPrunedTione);
  EXPECT_EQ(Answers(stats, "tione", "DeleteNotebook"), kPrunedTione);
  EXPECT_EQ(Answers(stats, "scnet", "StartNotebook"), kServices);
  EXPECT_EQ(Answers(stats, "scnet", "StopContainerInstance"), 0);
  EXPECT_EQ(Answers(stats, "scnet", "RestartContainerInstance"), 0);
  const std::map<std::string, std::set<std::string>> injected = {
      {"scnet", {"ok", "10001"}}, {"tione", {"ok", "InternalError"}}};
  for (const auto& [cloud, allowed] : injected) {
    for (const auto& [op, codes] : stats[cloud]["answers"].items()) {
      for (const auto& [code, n] : codes.items()) {
        EXPECT_TRUE(allowed.count(code))
            << cloud << " answered " << op << " with " << code << " " << n << " times";
      }
    }
    EXPECT_EQ(stats[cloud]["rejected"]["rate_limited"], 0) << cloud;
    EXPECT_EQ(stats[cloud]["rejected"]["auth"], 0) << cloud;
    EXPECT_GT(stats[cloud]["faults"]["error"].get<int64_t>(), 0) << cloud;
    EXPECT_GT(stats[cloud]["faults"]["drop"].get<int64_t>(), 0) << cloud;
  }
  EXPECT_LE(stats["scnet"]["max_requests_per_second"].get<int64_t>(),
            kScnetLimit.qps + kScnetLimit.burst);
  EXPECT_LE(stats["tione"]["max_requests_per_second"].get<int64_t>(),
            kTioneLimit.qps + kTioneLimit.burst);
  EXPECT_EQ(kills_.size(), static_cast<size_t>(kKillsWhileCreating + kKillsWhilePruning));
  const nlohmann::json status = run_->Status();
  EXPECT_EQ(status.value("pruneBlocked", ""), "");
}

}  // namespace
}  // namespace converge::e2e

#include <signal.h>

#include <iostream>

#include "cli/args.h"
#include "cli/commands.h"
#include "manifest/field.h"
#include "sim/faults.h"
#include "sim/simulator.h"

namespace converge::cli {

namespace {

constexpr char kSimUsage[] =
    R"(usage: converge sim [--addr 127.0.0.1:8089] [--fixture FILE] [--fault SPEC]...
                    [--tione-rate 20] [--scnet-rate 0] [--delays fast|normal]
                    [--instance-list-key list|records] [--scnet-token-ttl 24h]
                    [--tione-session-token TOKEN]

Serves the embedded simulator of SCNet and TI-ONE until SIGINT/SIGTERM. Prints its
URL and every test credential it accepts (they are not secrets).
  --addr HOST:PORT       listen address (port 0 picks a free port)
  --fixture FILE         initial state (JSON; see tests/fixtures/sim/demo.json)
  --fault SPEC           [CLOUD/]OPERATION:MODE[:VALUE[:TIMES]], repeatable; MODE is
                         error|latency|malformed|drop|hang, e.g. CreateContainerInstance:drop:1:1
  --tione-rate N         TI-ONE requests per second before RequestLimitExceeded (0 = off)
  --scnet-rate N         SCNet requests per second before HTTP 429 (0 = off)
  --delays fast|normal   lifecycle delays: fast (sub-second) or normal (seconds; default)
  --instance-list-key K  key of the container-instance list page: list (default) or records
  --scnet-token-ttl D    lifetime of the SCNet tokens issued to access keys (default 24h);
                         an expired token answers code 10008
  --tione-session-token TOKEN
                         TI-ONE temporary credentials: every TI-ONE request must carry
                         X-TC-Token TOKEN (default: X-TC-Token is not checked); POST
                         /_sim/credentials changes it and the keys while serving
)";

Result<double> ParseRate(const std::string& flag, const std::string& text) {
  try {
    size_t used = 0;
    const double rate = std::stod(text, &used);
    if (used == text.size() && rate >= 0) return rate;
  } catch (const std::exception&) {
  }
  return std::unexpected(Error::InvalidArgument(
      "--" + flag + " must be a non-negative number of requests per second, got \"" + text + "\""));
}

}  // namespace

int RunSim(int argc, char** argv) {
  int exit_code = 0;
  const auto args = ParseCommand({.name = "sim",
                                  .usage = kSimUsage,
                                  .flags = {{"addr"},
                                            {"fixture"},
                                            {"fault", true, true},
                                            {"tione-rate"},
                                            {"scnet-rate"},
                                            {"delays"},
                                            {"instance-list-key"},
                                            {"scnet-token-ttl"},
                                            {"tione-session-token"}}},
                                 argc, argv, &exit_code);
  if (!args) return exit_code;
  sim::SimOptions options;
  options.address = args->Get("addr", "127.0.0.1:8089");
  options.fixture_file = args->Get("fixture");
  const std::string delays = args->Get("delays", "normal");
  if (delays == "normal") {
    using std::chrono::milliseconds;
    options.instance_waiting = milliseconds(3000);
    options.instance_deploying = milliseconds(5000);
    options.notebook_restarting = milliseconds(5000);
    options.notebook_shutting = milliseconds(3000);
    options.tione_starting = milliseconds(6000);
    options.tione_stopping = milliseconds(3000);
  } else if (delays != "fast") {
    std::cerr << "converge sim: --delays must be fast or normal, got \"" << delays << "\"\n";
    return 1;
  }
  for (const auto& [flag, limit] : {std::pair{"tione-rate", &options.tione_rate_limit},
                                    std::pair{"scnet-rate", &options.scnet_rate_limit}}) {
    if (!args->Has(flag)) continue;
    auto rate = ParseRate(flag, args->Get(flag));
    if (!rate) {
      std::cerr << "converge sim: " << rate.error().message << "\n";
      return 1;
    }
    *limit = *rate;
  }
  if (args->Has("scnet-token-ttl")) {
    const auto ttl = manifest::ParseDuration(args->Get("scnet-token-ttl"));
    if (!ttl || ttl->count() <= 0) {
      std::cerr << "converge sim: --scnet-token-ttl must be a positive duration like 4s or 24h, "
                   "got \""
                << args->Get("scnet-token-ttl") << "\"\n";
      return 1;
    }
    options.scnet_token_ttl = *ttl;
  }
  options.instance_list_key = args->Get("instance-list-key", "list");
  if (options.instance_list_key != "list" && options.instance_list_key != "records") {
    std::cerr << "converge sim: --instance-list-key must be list or records\n";
    return 1;
  }
  options.tione_session_token = args->Get("tione-session-token");
  nlohmann::json rules = nlohmann::json::array();
  if (auto it = args->values.find("fault"); it != args->values.end()) {
    for (const auto& spec : it->second) {
      auto rule = sim::ParseFaultSpec(spec);
      if (!rule) {
        std::cerr << "converge sim: --fault: " << rule.error().message << "\n";
        return 1;
      }
      rules.push_back(*rule);
    }
  }
  options.faults = {{"rules", rules}};

  // Block the stop signals before any listener thread starts, then wait for one.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  sim::Simulator simulator(options);
  if (Status started = simulator.Start(); !started) {
    std::cerr << "converge sim: " << started.error().message << "\n";
    return 1;
  }
  std::cout << "converge sim: serving SCNet and TI-ONE at " << simulator.BaseUrl() << "\n"
            << "  SCNet token header:  " << sim::kTestScnetToken << "\n"
            << "  SCNet access key:    user " << sim::kTestScnetUser << ", accessKey "
            << sim::kTestScnetAccessKey << ", secretKey " << sim::kTestScnetSecretKey << "\n"
            << "  SCNet second key:    accessKey " << sim::kTestScnetAccessKey2 << ", secretKey "
            << sim::kTestScnetSecretKey2 << " (to test rotation)\n"
            << "  SCNet cluster:       " << sim::kTestScnetCluster << " (clusterId "
            << sim::kTestScnetClusterId << "), accountEndpoint and aiUrls " << simulator.BaseUrl()
            << "\n"
            << "  TI-ONE SecretId:     " << sim::kTestSecretId << "\n"
            << "  TI-ONE SecretKey:    " << sim::kTestSecretKey << "\n"
            << "  TI-ONE region:       " << sim::kTestRegion << "\n"
            << (options.tione_session_token.empty()
                    ? std::string()
                    : "  TI-ONE X-TC-Token:   " + options.tione_session_token + "\n")
            << "  admin:               " << simulator.BaseUrl()
            << "/_sim/stats, /_sim/faults, /_sim/state, /_sim/reset, /_sim/credentials\n"
            << "Press Ctrl-C to stop.\n"
            << std::flush;
  int signal_number = 0;
  sigwait(&stop_signals, &signal_number);
  std::cout << "converge sim: stopping\n" << std::flush;
  simulator.Stop();
  return 0;
}

}  // namespace converge::cli

#include <unistd.h>

#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "base/log.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/manifests.h"
#include "cli/one_shot.h"
#include "cli/prune_flags.h"
#include "manifest/field.h"

namespace converge::cli {
namespace {

constexpr char kApplyUsage[] =
    R"(usage: converge apply PATH... [--wait] [--timeout 10m] [--state-dir DIR] [--sim]

Performs one converge pass: lists every provider, then creates, restarts and
starts what the manifests ask for. Deletes or stops only with --prune; drift is
reported, not applied.
Exits 1 when any resource ends in an error or a provider cannot be listed.
  --wait               keep going until every resource is Ready or has failed for
                       good (an error that cannot pass on retry, such as rejected
                       credentials, ends the wait at once); exit 0 when all are
                       Ready, 1 otherwise with what failed
  --timeout D          give up waiting after D (default 10m; e.g. 90s, 1m30s)
  --state-dir DIR      where create intents and the inventory are kept (default
                       ./.converge-state)
)" CONVERGE_PRUNE_USAGE
    R"(  --sim                apply to the embedded simulator (no account needed)
  --sim-fixture FILE   initial simulator state (default: seeded from the manifests)
  --scnet-token-ttl D  lifetime of the SCNet tokens the simulator issues to access-key
                       providers (default 24h; with --sim)
  --log-level LEVEL    debug|info|warn|error (default warn)
)";

std::string Key(const reconcile::ResourceStatus& r) { return r.kind + "/" + r.name; }

std::string Describe(const reconcile::ResourceStatus& r) {
  std::string line = Key(r) + ": ";
  if (r.ready.status == "True") {
    line += "Ready";
  } else {
    line += r.ready.reason.empty() ? "not ready" : r.ready.reason;
  }
  if (!r.observed_state.empty() && r.observed_state != r.ready.reason && r.ready.status != "True") {
    line += " (" + r.observed_state + ")";
  }
  if (r.synced.status == "False") line += " \u2014 " + r.synced.message;
  return line;
}

bool IsReady(const reconcile::ResourceStatus& r) {
  return r.ready.status == "True" && !reconcile::Failing(r);
}

// The closing summary and the exit code. Every failing resource is counted once and
// named with the cloud's message; so is a provider that could not be listed and that
// no failing resource names (one the manifests give no resources). Exit 1 when
// anything failed, and with --wait also when something is still not Ready (the
// `timeout` that ran out, "" when none did).
int Report(const reconcile::StatusSnapshot& snap, bool wait, const std::string& timeout) {
  size_t ready = 0;
  std::vector<std::string> failed, pending;
  std::set<std::string> providers_named;
  for (const auto& r : snap.resources) {
    if (reconcile::Failing(r)) {
      failed.push_back(Key(r) + ": " + r.synced.message + (r.terminal ? " (needs a human)" : ""));
      providers_named.insert(r.provider);
    } else if (IsReady(r)) {
      ++ready;
    } else if (r.terminal) {
      failed.push_back(Key(r) + ": " + r.ready.reason + ": " + r.ready.message +
                       " (needs a human)");
    } else {
      pending.push_back(Key(r) + ": " + r.ready.reason + ": " + r.ready.message);
    }
  }
  for (const auto& p : snap.providers) {
    if (p.error.empty() || providers_named.count(p.name)) continue;
    failed.push_back("cannot list provider " + p.name + ": " + p.error);
  }
  const size_t total = snap.resources.size();
  if (failed.empty() && pending.empty()) {
    std::cout << "Apply: all " << total << " resources Ready.\n";
    return 0;
  }
  std::cout << "Apply: " << ready << "/" << total << " Ready"
            << (timeout.empty() ? "" : " when the timeout of " + timeout + " ran out") << "; "
            << failed.size() << (failed.size() == 1 ? " error" : " errors");
  if (!pending.empty()) {
    std::cout << "; " << pending.size() << " not Ready yet"
              << (wait ? "" : " (run with --wait to wait for the rest)");
  }
  std::cout << (failed.empty() && !wait ? ".\n" : ":\n");
  for (const auto& line : failed) std::cout << "  " << line << "\n";
  if (wait) {
    for (const auto& line : pending) std::cout << "  " << line << "\n";
  }
  return failed.empty() && !wait ? 0 : 1;
}

class Progress {
 public:
  explicit Progress(bool tty) : tty_(tty) {}
  void Line(const std::string& text) {
    if (tty_ && live_) std::cout << "\r\033[K";
    std::cout << text << "\n";
    live_ = false;
    std::cout.flush();
  }
  void Live(const std::string& text) {
    if (!tty_) return;
    std::cout << "\r\033[K" << text;
    std::cout.flush();
    live_ = true;
  }
  void End() {
    if (tty_ && live_) std::cout << "\r\033[K";
    live_ = false;
  }

 private:
  bool tty_;
  bool live_ = false;
};

}  // namespace

int RunApply(int argc, char** argv) {
  int exit_code = 0;
  const auto args = ParseCommand({.name = "apply",
                                  .usage = kApplyUsage,
                                  .flags = {{"wait", false},
                                            {"timeout"},
                                            {"state-dir"},
                                            {"sim", false},
                                            {"sim-fixture"},
                                            {"scnet-token-ttl"},
                                            {"prune", false},
                                            {"max-prune"}},
                                  .takes_paths = true,
                                  .has_log_level = true},
                                 argc, argv, &exit_code);
  if (!args) return exit_code;
  const auto timeout = manifest::ParseDuration(args->Get("timeout", "10m"));
  if (!timeout) {
    std::cerr << "converge apply: --timeout must be a duration like 90s or 10m, got \""
              << args->Get("timeout") << "\"\n";
    return 1;
  }
  const auto sim_options = ParseSimFlags(*args);
  if (!sim_options) {
    std::cerr << "converge apply: " << sim_options.error().message << "\n";
    return 1;
  }
  auto manifests = LoadManifests(args->positional);
  if (!manifests) return 1;
  auto opened = reconcile::FileJournal::Open(args->Get("state-dir", ".converge-state"));
  if (!opened) {
    std::cerr << "converge apply: " << opened.error().message << "\n";
    return 1;
  }
  std::unique_ptr<reconcile::FileJournal> journal = std::move(*opened);
  reconcile::ControllerOptions options;
  options.poll = std::chrono::seconds(1);
  if (!ApplyPruneFlags(*args, "apply", &options)) return 1;
  std::unique_ptr<reconcile::FileInventory> inventory =
      OpenInventory("apply", args->Get("state-dir", ".converge-state"), false);
  if (!inventory) return 1;
  const auto setup = PrepareOneShot("apply", std::move(*manifests), args->Has("sim"), *sim_options,
                                    options, *journal);
  if (!setup) return 1;
  reconcile::Controller& controller = *setup->controller;
  controller.SetInventory(inventory.get());
  const size_t total = setup->resources;

  Progress progress(::isatty(STDOUT_FILENO) == 1);
  std::map<std::string, std::string> shown;
  const auto deadline = std::chrono::steady_clock::now() + *timeout;
  bool first = true;
  while (true) {
    const reconcile::PassResult pass = controller.RunPass(first);
    for (const auto& change : pass.changes) progress.Line("  " + change);
    const auto snap = controller.Snapshot();
    size_t ready = 0;
    for (const auto& r : snap.resources) {
      ready += IsReady(r) ? 1 : 0;
      const std::string line = Describe(r);
      if (shown[Key(r)] != line) {
        shown[Key(r)] = line;
        progress.Line("  " + line);
      }
    }
    first = false;
    if (!args->Has("wait") || controller.Settled() ||
        std::chrono::steady_clock::now() >= deadline) {
      break;
    }
    const auto elapsed = std::chrono::duration_cast<std::chrono::seconds>(
        std::chrono::steady_clock::now() - (deadline - *timeout));
    progress.Live("  [" + std::to_string(ready) + "/" + std::to_string(total) + " Ready, " +
                  std::to_string(elapsed.count()) + "s]");
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
  }
  progress.End();
  const bool timed_out = args->Has("wait") && !controller.Settled();
  return Report(controller.Snapshot(), args->Has("wait"),
                timed_out ? args->Get("timeout", "10m") : "");
}

}  // namespace converge::cli

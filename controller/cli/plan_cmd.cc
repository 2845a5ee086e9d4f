#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <optional>

#include <nlohmann/json.hpp>

#include "base/log.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/manifests.h"
#include "cli/one_shot.h"
#include "cli/prune_flags.h"
#include "gitsource/work_tree.h"

namespace converge::cli {
namespace {

constexpr char kPlanUsage[] =
    R"(usage: converge plan PATH... [-o json] [--detailed-exitcode] [--prune] [--sim]

Lists every provider and shows what `converge apply` would do, without changing
anything (list calls only):
  + create    the resource is absent and will be created
  ~ ACTION    restart / start_notebook / start_service / start / stop / modify
  ! drift     the cloud differs from the manifest; no update API exists, so it
              needs a replace, which Converge never does on its own
  = in sync   nothing to do        . wait   a transition is under way
  x error     Converge cannot act (e.g. notebook not found); fix it by hand
  ? unmanaged a cloud resource no manifest names (reported, never touched)
  - prune     with --prune: a resource Converge created that no manifest declares
              any more, stopped or deleted per its recorded deletionPolicy

  -o json              print the plan as JSON
  --detailed-exitcode  exit 0 when there is nothing to do, 2 when there are
                       creates, changes or drift, 1 on error (default: 0 unless
                       error)
  --state-dir DIR      the inventory --prune reads (default ./.converge-state; read only)
)" CONVERGE_PRUNE_USAGE
    R"(  --sim                plan against the embedded simulator (no account needed)
  --sim-fixture FILE   initial simulator state (default: seeded from the manifests)
  --scnet-token-ttl D  lifetime of the SCNet tokens the simulator issues to access-key
                       providers (default 24h; with --sim)
  --log-level LEVEL    debug|info|warn|error (default warn)
)";

struct Summary {
  int create = 0, change = 0, drift = 0, in_sync = 0, wait = 0, error = 0, prune = 0;
};

char Sign(reconcile::ActionType t) {
  switch (t) {
    case reconcile::ActionType::kCreate:
      return '+';
    case reconcile::ActionType::kNone:
      return '=';
    case reconcile::ActionType::kWait:
      return '.';
    case reconcile::ActionType::kNeedsReplace:
      return '!';
    case reconcile::ActionType::kError:
      return 'x';
    default:
      return '~';
  }
}

Summary Summarize(const reconcile::PlanResult& plan) {
  Summary s;
  for (const auto& item : plan.items) {
    switch (item.action) {
      case reconcile::ActionType::kCreate:
        ++s.create;
        break;
      case reconcile::ActionType::kNone:
        ++s.in_sync;
        break;
      case reconcile::ActionType::kWait:
        ++s.wait;
        break;
      case reconcile::ActionType::kNeedsReplace:
        ++s.drift;
        break;
      case reconcile::ActionType::kError:
        ++s.error;
        break;
      default:
        ++s.change;
        break;
    }
    // A drifted resource that also gets an action is counted under the action.
    if (!item.drift.empty() && item.action != reconcile::ActionType::kNeedsReplace) ++s.drift;
  }
  // A provider that could not be listed is counted through its resources (each an
  // error item), or once when the manifests give it none.
  for (const auto& [provider, why] : plan.errors) {
    const bool has_items = std::any_of(plan.items.begin(), plan.items.end(),
                                       [&](const auto& item) { return item.provider == provider; });
    if (!has_items) ++s.error;
  }
  if (plan.prune_blocked.empty()) {
    for (const auto& p : plan.prune) s.prune += reconcile::IsMutating(p.action) ? 1 : 0;
  }
  return s;
}

// " (git commit <full SHA> on <branch>[, with uncommitted changes])" or "".
std::string GitSuffix(const std::optional<gitsource::WorkTreeCommit>& git) {
  if (!git) return "";
  return " (git commit " + git->sha + (git->branch.empty() ? "" : " on " + git->branch) +
         (git->dirty ? ", with uncommitted changes" : "") + ")";
}

void PrintText(const reconcile::PlanResult& plan, const std::string& revision,
               const std::optional<gitsource::WorkTreeCommit>& git, std::ostream& out) {
  out << "Converge plan for revision " << revision << GitSuffix(git) << "\n\n";
  size_t width = 0;
  for (const auto& item : plan.items)
    width = std::max(width, item.kind.size() + item.name.size() + 1);
  for (const auto& item : plan.items) {
    const std::string id = item.kind + "/" + item.name;
    std::string what;
    switch (item.action) {
      case reconcile::ActionType::kNone:
        what = "in sync";
        break;
      case reconcile::ActionType::kNeedsReplace:
        what = "";
        break;
      default:
        what = std::string(reconcile::ActionName(item.action));
        break;
    }
    out << "  " << Sign(item.action) << " " << id << std::string(width + 2 - id.size(), ' ') << "["
        << item.provider << "] " << (what.empty() ? "" : what + ": ") << item.reason;
    if (!item.drift.empty() && item.action != reconcile::ActionType::kNeedsReplace) {
      out << "; drift:";
      for (const auto& d : item.drift)
        out << " " << d.field << " " << d.observed << " \u2192 " << d.desired;
      out << " (needs replace; not applied)";
    }
    out << "\n";
  }
  bool any_prune = false;
  for (const auto& p : plan.prune) any_prune = any_prune || reconcile::IsMutating(p.action);
  if (any_prune) {
    out << "\nRemoved from the manifests (--prune):\n";
    for (const auto& p : plan.prune) {
      if (reconcile::IsMutating(p.action)) out << "  - " << reconcile::PruneLine(p) << "\n";
    }
    if (!plan.prune_blocked.empty()) out << "  prune blocked: " << plan.prune_blocked << "\n";
  }
  int orphaned = 0, unmanaged = 0;
  for (const auto& u : plan.unmanaged) ++(u.orphaned ? orphaned : unmanaged);
  if (orphaned > 0) {
    out << "\nOrphaned (created by Converge, named by no manifest any more):\n";
    for (const auto& u : plan.unmanaged) {
      if (!u.orphaned) continue;
      out << "  ? " << u.kind << "/" << u.name << " [" << u.provider << "] " << u.status << " (id "
          << u.id << ")\n";
    }
  }
  if (unmanaged > 0) {
    out << "\nUnmanaged (in the cloud, named by no manifest; never touched):\n";
    for (const auto& u : plan.unmanaged) {
      if (u.orphaned) continue;
      out << "  ? " << u.kind << "/" << u.name << " [" << u.provider << "] " << u.status << " (id "
          << u.id << ")\n";
    }
  }
  for (const auto& [provider, why] : plan.errors) {
    out << "\nerror: cannot list provider " << provider << ": " << why << "\n";
  }
  const Summary s = Summarize(plan);
  out << "\nPlan: " << s.create << " to create, " << s.change << " to change, " << s.drift
      << " drifted, " << s.in_sync << " in sync, " << s.wait << " waiting, " << s.error
      << (s.error == 1 ? " error" : " errors")
      << (s.prune > 0 ? ", " + std::to_string(s.prune) + " to prune" : std::string()) << "; "
      << unmanaged << " unmanaged"
      << (orphaned > 0 ? ", " + std::to_string(orphaned) + " orphaned" : std::string()) << ".\n";
}

nlohmann::ordered_json ToJson(const reconcile::PlanResult& plan, const std::string& revision,
                              const std::optional<gitsource::WorkTreeCommit>& git) {
  nlohmann::ordered_json items = nlohmann::ordered_json::array();
  for (const auto& item : plan.items) {
    nlohmann::ordered_json drift = nlohmann::ordered_json::array();
    for (const auto& d : item.drift) {
      drift.push_back({{"field", d.field}, {"desired", d.desired}, {"observed", d.observed}});
    }
    items.push_back({{"kind", item.kind},
                     {"name", item.name},
                     {"provider", item.provider},
                     {"action", std::string(reconcile::ActionName(item.action))},
                     {"reason", item.reason},
                     {"drift", drift},
                     {"observed", {{"id", item.observed_id}, {"state", item.observed_state}}}});
  }
  nlohmann::ordered_json unmanaged = nlohmann::ordered_json::array();
  for (const auto& u : plan.unmanaged) {
    unmanaged.push_back({{"provider", u.provider},
                         {"kind", u.kind},
                         {"name", u.name},
                         {"id", u.id},
                         {"status", u.status},
                         {"orphaned", u.orphaned}});
  }
  nlohmann::ordered_json prune = nlohmann::ordered_json::array();
  for (const auto& p : plan.prune) {
    prune.push_back({{"kind", p.entry.kind},
                     {"name", p.entry.name},
                     {"provider", p.entry.provider},
                     {"action", p.action == reconcile::ActionType::kNone
                                    ? std::string("orphan")
                                    : std::string(reconcile::ActionName(p.action))},
                     {"reason", p.reason},
                     {"deletionPolicy", p.entry.deletion_policy},
                     {"observed", {{"id", p.observed_id}, {"state", p.observed_state}}}});
  }
  nlohmann::ordered_json errors = nlohmann::ordered_json::array();
  for (const auto& [provider, why] : plan.errors)
    errors.push_back("provider " + provider + ": " + why);
  const Summary s = Summarize(plan);
  nlohmann::ordered_json out = {{"revision", revision}};
  if (git) out["git"] = {{"commit", git->sha}, {"branch", git->branch}, {"dirty", git->dirty}};
  out.update(nlohmann::ordered_json{{"resources", items},
                                    {"unmanaged", unmanaged},
                                    {"prune", prune},
                                    {"pruneBlocked", plan.prune_blocked},
                                    {"errors", errors},
                                    {"summary",
                                     {{"create", s.create},
                                      {"change", s.change},
                                      {"drift", s.drift},
                                      {"inSync", s.in_sync},
                                      {"wait", s.wait},
                                      {"error", s.error},
                                      {"prune", s.prune},
                                      {"unmanaged", plan.unmanaged.size()}}}});
  return out;
}

// The commit the first manifest path is checked out at, when it is in a git work tree.
std::optional<gitsource::WorkTreeCommit> ManifestCommit(const std::vector<std::string>& paths) {
  if (paths.empty()) return std::nullopt;
  std::error_code ec;
  std::filesystem::path dir = paths.front();
  if (!std::filesystem::is_directory(dir, ec)) dir = dir.parent_path();
  return gitsource::DescribeWorkTree(dir.empty() ? "." : dir.string());
}

}  // namespace

int RunPlan(int argc, char** argv) {
  int exit_code = 0;
  const auto args = ParseCommand({.name = "plan",
                                  .usage = kPlanUsage,
                                  .flags = {{"detailed-exitcode", false},
                                            {"sim", false},
                                            {"sim-fixture"},
                                            {"scnet-token-ttl"},
                                            {"state-dir"},
                                            {"prune", false},
                                            {"max-prune"}},
                                  .takes_paths = true,
                                  .has_output = true,
                                  .has_log_level = true},
                                 argc, argv, &exit_code);
  if (!args) return exit_code;
  const auto sim_options = ParseSimFlags(*args);
  if (!sim_options) {
    std::cerr << "converge plan: " << sim_options.error().message << "\n";
    return 1;
  }
  auto manifests = LoadManifests(args->positional);
  if (!manifests) return 1;
  reconcile::MemoryJournal journal;  // plan never creates
  reconcile::ControllerOptions options;
  if (!ApplyPruneFlags(*args, "plan", &options)) return 1;
  std::unique_ptr<reconcile::FileInventory> inventory;
  if (options.prune) {
    inventory = OpenInventory("plan", args->Get("state-dir", ".converge-state"), true);
    if (!inventory) return 1;
  }
  const auto setup = PrepareOneShot("plan", std::move(*manifests), args->Has("sim"), *sim_options,
                                    options, journal);
  if (!setup) return 1;
  if (inventory) setup->controller->SetInventory(inventory.get());
  const std::string& revision = setup->revision;
  const reconcile::PlanResult plan = setup->controller->Plan();
  const auto git = ManifestCommit(args->positional);
  if (JsonOutput(*args)) {
    std::cout << ToJson(plan, revision, git).dump(2) << "\n";
  } else {
    PrintText(plan, revision, git, std::cout);
  }
  const Summary s = Summarize(plan);
  if (s.error > 0) return 1;
  // Drift counts: the cloud differs from the manifests even though apply will not touch it.
  if (args->Has("detailed-exitcode") && s.create + s.change + s.drift + s.prune > 0) return 2;
  return 0;
}

}  // namespace converge::cli

#include <algorithm>
#include <chrono>
#include <iomanip>
#include <iostream>

#include "base/rfc3339.h"
#include "cli/args.h"
#include "cli/commands.h"
#include "cli/controller_client.h"
#include "reconcile/status.h"

namespace converge::cli {
namespace {

constexpr char kStatusUsage[] = R"(usage: converge status [--addr 127.0.0.1:9464] [-o json]

Shows what the running controller (`converge run`) reports at /status: each
resource's Synced and Ready conditions, its cloud id and state, and the cloud
resources no manifest names.
  --addr ADDR   the controller's --metrics-addr (default 127.0.0.1:9464)
  -o json       print the /status document as it is
)";

int64_t NowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string Seconds(int64_t ms) {
  const int64_t s = std::max<int64_t>(0, ms / 1000);
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  return std::to_string(s / 3600) + "h";
}

// "12s" since `then_ms`, or "-" when never.
std::string Age(int64_t then_ms) { return then_ms <= 0 ? "-" : Seconds(NowMs() - then_ms); }
// "in 12s" until `when_ms`, or "-" when not scheduled.
std::string Until(int64_t when_ms) {
  return when_ms <= 0 ? "-" : "in " + Seconds(when_ms - NowMs());
}

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> width;
  for (const auto& row : rows) {
    width.resize(std::max(width.size(), row.size()));
    for (size_t i = 0; i < row.size(); ++i) width[i] = std::max(width[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (size_t i = 0; i < row.size(); ++i) {
      std::cout << row[i];
      if (i + 1 < row.size()) std::cout << std::string(width[i] - row[i].size() + 2, ' ');
    }
    std::cout << "\n";
  }
}

}  // namespace

int RunStatus(int argc, char** argv) {
  int exit_code = 0;
  const auto args =
      ParseCommand({.name = "status", .usage = kStatusUsage, .flags = {{"addr"}}, .has_output = true},
                   argc, argv, &exit_code);
  if (!args) return exit_code;
  const std::string addr = args->Get("addr", "127.0.0.1:9464");
  const auto answer = CallController("converge status", addr, "GET", "/status");
  if (!answer) {
    std::cerr << answer.error().message << "\n";
    return 1;
  }
  if (answer->status != 200) {
    std::cerr << "converge status: " << addr << "/status answered HTTP " << answer->status << "\n";
    return 1;
  }
  const std::string& body = answer->body;
  if (JsonOutput(*args)) {
    std::cout << body;
    return 0;
  }
  const auto json = nlohmann::json::parse(body, nullptr, false);
  auto parsed = reconcile::FromJson(json);
  if (!parsed) {  // also when the body is no JSON at all
    std::cerr << "converge status: " << addr
              << "/status did not return a Converge status document\n";
    return 1;
  }
  const reconcile::StatusSnapshot& snap = *parsed;
  std::cout << "revision " << (snap.revision.empty() ? "(none)" : snap.revision)
            << (snap.ready ? "  ready" : "  not ready") << "  last successful sync "
            << (snap.last_successful_sync_ms ? FormatRfc3339(snap.last_successful_sync_ms) + " (" +
                                                   Age(snap.last_successful_sync_ms) + " ago)"
                                             : "never")
            << "\n";
  if (!snap.spec_valid) {
    std::cout << "newest manifests rejected (the revision above keeps running): " << snap.spec_error
              << "\n";
  }
  for (const auto& p : snap.providers) {
    if (!p.error.empty()) std::cout << "provider " << p.name << ": " << p.error << "\n";
    if (!p.secret_problem.empty()) {
      std::cout << "provider " << p.name << ": " << p.secret_problem << "\n";
    }
  }
  if (!snap.prune_blocked.empty()) std::cout << "prune blocked: " << snap.prune_blocked << "\n";
  if (!snap.inventory_error.empty()) std::cout << "inventory: " << snap.inventory_error << "\n";
  std::cout << "\n";
  std::vector<std::vector<std::string>> rows = {
      {"KIND", "NAME", "PROVIDER", "SYNCED", "READY", "STATE", "ID", "LAST", "NEXT", "MESSAGE"}};
  for (const auto& r : snap.resources) {
    const std::string message = r.synced.status == "False" ? r.synced.message : r.ready.message;
    rows.push_back({r.kind, r.name, r.provider, r.synced.status, r.ready.status,
                    r.observed_state.empty() ? "-" : r.observed_state,
                    r.observed_id.empty() ? "-" : r.observed_id, Age(r.last_attempt_ms),
                    Until(r.next_retry_ms), message});
  }
  PrintTable(rows);
  if (!snap.unmanaged.empty()) {
    std::cout << "\nunmanaged (orphaned: created by Converge, in no manifest any more):\n";
    std::vector<std::vector<std::string>> un = {
        {"PROVIDER", "KIND", "NAME", "ID", "STATE", "ORPHANED"}};
    for (const auto& u : snap.unmanaged) {
      un.push_back({u.provider, u.kind, u.name, u.id, u.status, u.orphaned ? "yes" : "no"});
    }
    PrintTable(un);
  }
  return 0;
}

}  // namespace converge::cli

#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/controller_client.h"

namespace converge::cli {
namespace {

constexpr char kReconcileUsage[] = R"(usage: converge reconcile [KIND/NAME...] [--addr 127.0.0.1:9464]

Asks the running controller (`converge run`) to look at the named resources now,
every resource when none is named, like `flux reconcile`: their retry backoff is
reset and a pass starts at once. Names are KIND/NAME (or KIND/PROVIDER/NAME) as
`converge status` lists them. The controller takes this (POST /reconcile) from
loopback clients only, unless it runs with --allow-remote-reconcile.
  --addr ADDR   the controller's --metrics-addr (default 127.0.0.1:9464)
)";

}  // namespace

int RunReconcile(int argc, char** argv) {
  int exit_code = 0;
  const auto args =
      ParseCommand({.name = "reconcile", .usage = kReconcileUsage, .flags = {{"addr"}}, .takes_names = true},
                   argc, argv, &exit_code);
  if (!args) return exit_code;
  for (const auto& name : args->positional) {
    const auto slash = name.find('/');
    if (slash == 0 || slash == std::string::npos || name.back() == '/') {
      std::cerr << "converge reconcile: \"" << name
                << "\" is not KIND/NAME (e.g. ContainerInstance/bert)\n";
      return 1;
    }
  }
  const std::string addr = args->Get("addr", "127.0.0.1:9464");
  const auto answer = CallController("converge reconcile", addr, "POST", "/reconcile",
                                     nlohmann::json{{"resources", args->positional}}.dump());
  if (!answer) {
    std::cerr << answer.error().message << "\n";
    return 1;
  }
  const auto json = nlohmann::json::parse(answer->body, nullptr, false);
  if (answer->status != 200) {
    const std::string why = json.is_object() && json.value("error", "") != ""
                                ? json.value("error", "")
                                : "HTTP " + std::to_string(answer->status);
    std::cerr << "converge reconcile: the controller at " << addr << " refused: " << why << "\n";
    return 1;
  }
  if (!json.is_object() || !json.contains("reset") || !json["reset"].is_array()) {
    std::cerr << "converge reconcile: " << addr
              << "/reconcile did not answer as a Converge controller does\n";
    return 1;
  }
  if (json["reset"].empty()) {
    std::cout << "the controller manages no resources yet; nothing to reconcile\n";
    return 0;
  }
  for (const auto& r : json["reset"]) {
    std::cout << r.value("kind", "") << "/" << r.value("name", "") << " ["
              << r.value("provider", "") << "]: backoff reset, reconciling now\n";
  }
  return 0;
}

}  // namespace converge::cli

#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    R"(converge: reconcile AI compute instances on SCNet and TI-ONE from YAML manifests

usage:
  converge validate PATH... [-o json]
  converge plan PATH... [-o json] [--detailed-exitcode] [--sim]
  converge apply PATH... [--wait] [--timeout 10m] [--sim] [--state-dir DIR]
  converge run PATH... [--metrics-addr 127.0.0.1:9464] [--resync 30s] [--state-dir DIR] [--sim]
  converge status [--addr 127.0.0.1:9464] [-o json]
  converge reconcile [KIND/NAME...] [--addr 127.0.0.1:9464]
  converge sim [--addr 127.0.0.1:8089] [--fixture FILE] [--fault SPEC]...
  converge schema [--kind KIND]
  converge version

Run `converge COMMAND --help` for a command's flags.
)";

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << kUsage;
    return 1;
  }
  const std::string_view command = argv[1];
  using namespace converge::cli;
  if (command == "validate") return RunValidate(argc - 2, argv + 2);
  if (command == "schema") return RunSchema(argc - 2, argv + 2);
  if (command == "sim") return RunSim(argc - 2, argv + 2);
  if (command == "plan") return RunPlan(argc - 2, argv + 2);
  if (command == "apply") return RunApply(argc - 2, argv + 2);
  if (command == "run") return RunRun(argc - 2, argv + 2);
  if (command == "status") return RunStatus(argc - 2, argv + 2);
  if (command == "reconcile") return RunReconcile(argc - 2, argv + 2);
  if (command == "version" || command == "--version") {
    std::cout << "converge " << CONVERGE_VERSION << "\n";
    return 0;
  }
  if (command == "help" || command == "--help" || command == "-h") {
    std::cout << kUsage;
    return 0;
  }
  std::cerr << "converge: unknown command \"" << command << "\"\n\n" << kUsage;
  return 1;
}

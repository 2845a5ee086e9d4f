#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.h"

namespace {

constexpr char kUsage[] =
    R"(converge: reconcile AI compute instances on SCNet and TI-ONE from YAML manifests

usage:
  converge validate PATH... [flags]   check manifests; print every problem as file:line:col
  converge plan PATH... [flags]       show what apply would do (list calls only)
  converge apply PATH... [flags]      one converge pass (--wait: until every resource is Ready)
  converge run PATH... [flags]        reconcile continuously; serve /metrics and /status
  converge status [flags]             what a running controller reports
  converge reconcile [KIND/NAME...] [flags]
                                      reset backoff and reconcile now (all, or the named)
  converge sim [flags]                the simulator of SCNet and TI-ONE alone
  converge schema [flags]             JSON Schema of the manifests
  converge version                    print the version

Every command's flags: converge COMMAND --help
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

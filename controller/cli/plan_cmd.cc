#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunPlan(int argc, char** argv) {
  std::cerr << "converge plan: not built yet\n";
  return 1;
}

}  // namespace converge::cli

#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunApply(int argc, char** argv) {
  std::cerr << "converge apply: not built yet\n";
  return 1;
}

}  // namespace converge::cli

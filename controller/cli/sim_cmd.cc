#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunSim(int argc, char** argv) {
  std::cerr << "converge sim: not built yet\n";
  return 1;
}

}  // namespace converge::cli

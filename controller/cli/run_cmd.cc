#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunRun(int argc, char** argv) {
  std::cerr << "converge run: not built yet\n";
  return 1;
}

}  // namespace converge::cli

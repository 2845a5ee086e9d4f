#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunStatus(int argc, char** argv) {
  std::cerr << "converge status: not built yet\n";
  return 1;
}

}  // namespace converge::cli

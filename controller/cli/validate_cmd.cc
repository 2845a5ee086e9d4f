#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunValidate(int argc, char** argv) {
  std::cerr << "converge validate: not built yet\n";
  return 1;
}

}  // namespace converge::cli

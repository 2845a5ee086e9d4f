#include <iostream>

#include "cli/commands.h"

namespace converge::cli {

int RunSchema(int argc, char** argv) {
  std::cerr << "converge schema: not built yet\n";
  return 1;
}

}  // namespace converge::cli

#include "cli/args.h"

namespace converge::cli {

std::optional<Args> ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs,
                              std::string* error) {
  Args args;
  bool only_positional = false;
  for (int i = first; i < argc; ++i) {
    std::string arg = argv[i];
    if (only_positional || arg.size() < 2 || arg[0] != '-') {
      args.positional.push_back(arg);
      continue;
    }
    if (arg == "--") {
      only_positional = true;
      continue;
    }
    std::string name = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> inline_value;
    if (auto eq = name.find('='); eq != std::string::npos) {
      inline_value = name.substr(eq + 1);
      name = name.substr(0, eq);
    }
    const FlagSpec* spec = nullptr;
    for (const auto& s : specs) {
      if (s.name == name) spec = &s;
    }
    if (spec == nullptr) {
      *error = "unknown flag " + arg;
      return std::nullopt;
    }
    args.present.insert(name);
    if (!spec->takes_value) {
      if (inline_value) {
        *error = "flag --" + name + " takes no value";
        return std::nullopt;
      }
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      *error = "flag " + arg + " needs a value";
      return std::nullopt;
    }
    auto& slot = args.values[name];
    if (!spec->repeated) slot.clear();
    slot.push_back(value);
  }
  return args;
}

}  // namespace converge::cli

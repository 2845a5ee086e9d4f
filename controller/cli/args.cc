#include "cli/args.h"

namespace converge::cli {

Result<Args> ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs) {
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
      return std::unexpected(Error::InvalidArgument("unknown flag " + arg));
    }
    args.present.insert(name);
    if (!spec->takes_value) {
      if (inline_value) {
        return std::unexpected(Error::InvalidArgument("flag --" + name + " takes no value"));
      }
      continue;
    }
    std::string value;
    if (inline_value) {
      value = *inline_value;
    } else if (i + 1 < argc) {
      value = argv[++i];
    } else {
      return std::unexpected(Error::InvalidArgument("flag " + arg + " needs a value"));
    }
    auto& slot = args.values[name];
    if (!spec->repeated) slot.clear();
    slot.push_back(value);
  }
  return args;
}

}  // namespace converge::cli

#include <iostream>

#include "base/log.h"

namespace converge::cli {

std::optional<Args> ParseCommand(const CommandSpec& spec, int argc, char** argv, int* exit_code) {
  std::vector<FlagSpec> flags = spec.flags;
  flags.push_back({"help", false});
  if (spec.has_output) flags.push_back({"o"});
  if (spec.has_log_level) flags.push_back({"log-level"});
  auto fail = [&](const std::string& what) -> std::optional<Args> {
    std::cerr << "converge " << spec.name << ": " << what << "\n\n" << spec.usage;
    *exit_code = 1;
    return std::nullopt;
  };
  auto args = ParseArgs(argc, argv, 0, flags);
  if (!args) return fail(args.error().message);
  if (args->Has("help")) {
    std::cout << spec.usage;
    *exit_code = 0;
    return std::nullopt;
  }
  if (spec.takes_paths && args->positional.empty() &&
      (spec.paths_unless.empty() || !args->Has(spec.paths_unless))) {
    return fail(spec.paths_unless.empty() ? "no PATH given"
                                          : "no PATH given (nor --" + spec.paths_unless + ")");
  }
  if (!spec.takes_paths && !spec.takes_names && !args->positional.empty()) {
    return fail("unexpected argument \"" + args->positional.front() + "\"");
  }
  if (spec.has_output) {
    const std::string output = args->Get("o", "text");
    if (output != "text" && output != "json") {
      return fail("-o must be text or json, got \"" + output + "\"");
    }
  }
  if (spec.has_log_level) {
    log::Level level = static_cast<log::Level>(spec.default_log_level);
    if (args->Has("log-level") && !log::ParseLevel(args->Get("log-level"), &level)) {
      return fail("--log-level must be debug, info, warn or error, got \"" +
                  args->Get("log-level") + "\"");
    }
    log::SetLevel(level);
  }
  return std::move(*args);
}

}  // namespace converge::cli

// A small command-line parser: positional arguments, --flag value, --flag=value,
// boolean --flag, and -o VALUE. Unknown flags are errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/result.h"

namespace converge::cli {

struct FlagSpec {
  std::string name;  // without dashes, e.g. "metrics-addr"; "o" for -o
  bool takes_value = true;
  bool repeated = false;
};

struct Args {
  std::vector<std::string> positional;
  std::map<std::string, std::vector<std::string>> values;
  std::set<std::string> present;

  bool Has(const std::string& flag) const { return present.count(flag) > 0; }
  std::string Get(const std::string& flag, const std::string& fallback = "") const {
    auto it = values.find(flag);
    return it == values.end() || it->second.empty() ? fallback : it->second.back();
  }
};

// Parses argv[first..]. kInvalidArgument naming the flag when argv does not fit
// `specs`.
Result<Args> ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs);

}  // namespace converge::cli

namespace converge::cli {

// What a subcommand accepts, for ParseCommand.
struct CommandSpec {
  std::string name;             // "plan"
  const char* usage;            // printed for --help and after a usage error
  std::vector<FlagSpec> flags;  // --help is always accepted
  bool takes_paths = false;     // PATH... required
  std::string paths_unless;     // ...unless this flag is given (run --git)
  bool takes_names = false;     // NAME... optional (without either: no positional argument)
  bool has_output = false;      // -o text|json
  bool has_log_level = false;   // --log-level debug|info|warn|error (applied on success)
  int default_log_level = 2;    // log::Level as int; Default: warn
};

// Parses a subcommand's argv. On --help prints the usage and returns nullopt
// with *exit_code 0; on a usage error prints "converge NAME: what" and the usage
// to stderr and returns nullopt with *exit_code 1.
std::optional<Args> ParseCommand(const CommandSpec& spec, int argc, char** argv, int* exit_code);

// The -o value ("text" or "json") of a command parsed with has_output.
inline bool JsonOutput(const Args& args) { return args.Get("o", "text") == "json"; }

}  // namespace converge::cli

// A small command-line parser: positional arguments, --flag value, --flag=value,
// boolean --flag, and -o VALUE. Unknown flags are errors.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace converge::cli {

struct FlagSpec {
  std::string name;        // without dashes, e.g. "metrics-addr"; "o" for -o
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

// Parses argv[first..]. On error returns nullopt and sets `error` to a message
// naming the flag.
std::optional<Args> ParseArgs(int argc, char** argv, int first, const std::vector<FlagSpec>& specs,
                              std::string* error);

}  // namespace converge::cli

#include <iostream>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "cli/args.h"
#include "cli/commands.h"
#include "cli/manifests.h"
#include "manifest/field.h"
#include "manifest/loader.h"

namespace converge::cli {
namespace {

constexpr char kValidateUsage[] = R"(usage: converge validate PATH... [-o json]

Loads every manifest under PATH (files, or directories read recursively for *.yaml
and *.yml) and checks it. Prints every problem as file:line:col: kind/name: field:
message and exits 1 (a PATH that holds no manifest is a problem too); exits 0 with
a one-line summary when everything is valid.
  -o json   print the problems as a JSON array of
            {file, line, column, kind, name, field, message} ([] when valid)
)";

std::string Plural(size_t n, const std::string& word) {
  return std::to_string(n) + " " + word + (n == 1 ? "" : "s");
}

std::string Summary(const manifest::LoadResult& result) {
  std::map<manifest::Kind, size_t> counts;
  counts[manifest::Kind::kProvider] = result.manifests.providers.size();
  for (const auto& r : result.manifests.resources) ++counts[manifest::KindOf(r)];
  size_t total = 0;
  std::string parts;
  for (manifest::Kind k : manifest::kAllKinds) {
    if (counts[k] == 0) continue;
    total += counts[k];
    if (!parts.empty()) parts += ", ";
    parts += std::to_string(counts[k]) + " " + std::string(manifest::KindName(k));
  }
  return Plural(result.files, "file") + ", " + Plural(total, "resource") +
         (parts.empty() ? "" : " (" + parts + ")") + ": valid";
}

}  // namespace

int RunValidate(int argc, char** argv) {
  int exit_code = 0;
  const auto args =
      ParseCommand({.name = "validate", .usage = kValidateUsage, .takes_paths = true, .has_output = true},
                   argc, argv, &exit_code);
  if (!args) return exit_code;
  // Nothing is held after the check: parse on two threads (the others load on one,
  // which keeps the peak memory of a long-running process lower).
  const manifest::LoadResult result =
      manifest::LoadPaths(args->positional, manifest::LoadOptions{.threads = 2});
  if (JsonOutput(*args)) {
    nlohmann::ordered_json out = nlohmann::ordered_json::array();
    for (const auto& d : result.errors) {
      out.push_back({{"file", d.location.file},
                     {"line", d.location.line},
                     {"column", d.location.column},
                     {"kind", d.kind},
                     {"name", d.name},
                     {"field", d.field},
                     {"message", d.message}});
    }
    std::cout << out.dump(2) << "\n";
    return result.ok() ? 0 : 1;
  }
  if (result.ok()) {
    std::cout << Summary(result) << "\n";
    return 0;
  }
  PrintLoadErrors(result, std::cerr);
  return 1;
}

}  // namespace converge::cli

#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "cli/args.h"
#include "cli/commands.h"
#include "manifest/field.h"
#include "manifest/schema.h"

namespace converge::cli {
namespace {

constexpr char kSchemaUsage[] = R"(usage: converge schema [--kind KIND] [--out DIR]

Prints the JSON Schema (draft 2020-12) of Converge manifests: by default one schema
for every kind (it selects the kind's schema with if/then on `kind`).
  --kind KIND   only that kind: Provider, ContainerInstance, NotebookService, TiOneNotebook
  --out DIR     write one file per kind plus converge.schema.json into DIR (what specs/ holds)
)";

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

int WriteFiles(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::cerr << "converge schema: cannot create " << dir << ": " << ec.message() << "\n";
    return 1;
  }
  for (const auto& file : manifest::SchemaFiles()) {
    const auto path = std::filesystem::path(dir) / file.name;
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << file.text;
    out.close();
    if (!out) {
      std::cerr << "converge schema: cannot write " << path.string() << "\n";
      return 1;
    }
    std::cout << "wrote " << path.string() << "\n";
  }
  return 0;
}

}  // namespace

int RunSchema(int argc, char** argv) {
  int exit_code = 0;
  const auto args = ParseCommand(
      {.name = "schema", .usage = kSchemaUsage, .flags = {{.name = "kind"}, {.name = "out"}}}, argc, argv,
      &exit_code);
  if (!args) return exit_code;
  if (args->Has("out")) {
    if (args->Has("kind")) {
      std::cerr << "converge schema: --out writes every kind; drop --kind\n";
      return 1;
    }
    return WriteFiles(args->Get("out"));
  }
  if (args->Has("kind")) {
    const std::string wanted = Lower(args->Get("kind"));
    for (manifest::Kind k : manifest::kAllKinds) {
      if (Lower(std::string(manifest::KindName(k))) == wanted) {
        std::cout << manifest::SchemaFor(k).dump(2) << "\n";
        return 0;
      }
    }
    std::cerr << "converge schema: unknown kind \"" << args->Get("kind")
              << "\"; use Provider, ContainerInstance, NotebookService or TiOneNotebook\n";
    return 1;
  }
  std::cout << manifest::BundleSchema().dump(2) << "\n";
  return 0;
}

}  // namespace converge::cli

// `converge validate` and `converge schema` as a user runs them: the real binary.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>

#include <nlohmann/json.hpp>

#include "support/temp_dir.h"

namespace {

namespace test_support = converge::test_support;
namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

std::string Slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> SplitLines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

class CliTest : public ::testing::Test {
 protected:
  // Bounded: a command that does not finish within 20 s is killed (exit 124).
  Result Converge(const std::string& args) {
    const fs::path out = dir_ / "stdout", err = dir_ / "stderr";
    const std::string command = "cd '" + std::string(CONVERGE_SOURCE_DIR) + "' && timeout 20 '" +
                                CONVERGE_BINARY + "' " + args + " >'" + out.string() + "' 2>'" +
                                err.string() + "'";
    const int status = std::system(command.c_str());
    Result run;
    run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.out = Slurp(out);
    run.err = Slurp(err);
    return run;
  }

  std::string Write(const std::string& name, const std::string& text) {
    return tmp_.Write(name, text);
  }

  test_support::TempDir tmp_{"converge-validate-cli"};
  const fs::path dir_ = tmp_.path();
};

constexpr char kBad[] = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: scnet-x}
spec:
  type: scnet
  endpoint: https://api.example.com
  token: eyJhbGciOiJIUzI1NiJ9.c2VjcmV0
---
apiVersion: converge.dev/v1alpha1
kind: ContainerInstance
metadata: {name: ci}
spec:
  provider: scnet-x
  taskType: ssh
  image: {name: "a:1", path: "r/a:1"}
  resourceGroup: g
  accelerator: {type: gpu, count: 1}
  cpus: 4
  memoryMB: 1024
)";

TEST_F(CliTest, ValidExamplesExitZeroWithASummary) {
  const Result run = Converge("validate manifests/examples");
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out,
            "4 files, 13 resources (3 Provider, 4 ContainerInstance, 3 NotebookService, "
            "3 TiOneNotebook): valid\n");
  EXPECT_EQ(run.err, "");
}

TEST_F(CliTest, InvalidFileExitsOneWithEveryErrorAsFileLineColumn) {
  const std::string path = Write("bad.yaml", kBad);
  const Result run = Converge("validate '" + path + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.out, "");
  const auto lines = SplitLines(run.err);
  EXPECT_THAT(lines, ElementsAre(path + ":7:10: Provider/scnet-x: spec.token: literal secret "
                                        "values are not allowed; use {fromEnv: NAME} or "
                                        "{fromFile: PATH}",
                                 path + ":18:3: ContainerInstance/ci: spec.cpus: unknown field "
                                        "\"cpus\" (did you mean \"cpu\"?)",
                                 "2 errors in 1 file"));
  const std::regex format("^[^:]+:[0-9]+:[0-9]+: [A-Za-z]+/[^:]+: [a-zA-Z.\\[\\]0-9]+: .+$");
  EXPECT_TRUE(std::regex_match(lines[0], format));
  EXPECT_TRUE(std::regex_match(lines[1], format));
  EXPECT_THAT(run.err, ::testing::Not(HasSubstr("c2VjcmV0")));
}

// The "Bad input" table's promise for plan and apply: an invalid manifest is
// reported like validate reports it and nothing reaches the cloud, not even a list.
TEST_F(CliTest, PlanAndApplyOfAnInvalidFileExitOneBeforeAnyCloudCall) {
  // A loopback listener that never accepts: a connection attempt would wait in
  // its backlog, where a non-blocking accept finds it.
  const int listener = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
  ASSERT_GE(listener, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(listener, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ::getsockname(listener, reinterpret_cast<sockaddr*>(&addr), &len);
  ASSERT_EQ(::listen(listener, 16), 0);
  const std::string endpoint = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  const std::string path = Write(
      "m/bad.yaml",
      "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: scnet}\nspec:\n"
      "  type: scnet\n  endpoint: " +
          endpoint +
          "\n  token: {fromEnv: CLI_TEST_TOKEN}\n---\n"
          "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: ci}\n"
          "spec:\n  provider: scnet\n  taskType: ssh\n  image: {name: \"a:1\", path: \"r/a:1\"}\n"
          "  resourceGroup: g\n  accelerator: {type: gpu, count: 1}\n  cpus: 4\n"
          "  memoryMB: 1024\n");
  ::setenv("CLI_TEST_TOKEN", "x", 1);
  for (const std::string command : {"plan", "apply"}) {
    const Result run = Converge(command + " '" + tmp_.path() + "/m'");
    EXPECT_EQ(run.exit_code, 1) << command;
    EXPECT_THAT(SplitLines(run.err),
                ElementsAre(path + ":18:3: ContainerInstance/ci: spec.cpus: unknown field "
                                   "\"cpus\" (did you mean \"cpu\"?)",
                            "1 error in 1 file"))
        << command;
  }
  EXPECT_LT(::accept(listener, nullptr, nullptr), 0) << "a cloud call was attempted";
  EXPECT_EQ(errno, EAGAIN);
  ::close(listener);
}

TEST_F(CliTest, JsonOutput) {
  const std::string path = Write("bad.yaml", kBad);
  const Result run = Converge("validate -o json '" + path + "'");
  EXPECT_EQ(run.exit_code, 1);
  const auto errors = nlohmann::json::parse(run.out);
  ASSERT_EQ(errors.size(), 2u);
  EXPECT_EQ(errors[1],
            nlohmann::json({{"file", path},
                            {"line", 18},
                            {"column", 3},
                            {"kind", "ContainerInstance"},
                            {"name", "ci"},
                            {"field", "spec.cpus"},
                            {"message", "unknown field \"cpus\" (did you mean \"cpu\"?)"}}));
  const Result ok = Converge("validate -o json manifests/examples");
  EXPECT_EQ(ok.exit_code, 0);
  EXPECT_EQ(nlohmann::json::parse(ok.out), nlohmann::json::array());
}

TEST_F(CliTest, UsageErrors) {
  EXPECT_EQ(Converge("validate").exit_code, 1);
  EXPECT_EQ(Converge("validate -o yaml manifests/examples").exit_code, 1);
}

// Every command that reads manifests refuses a path that holds none, at once:
// `run` exits before serving (no state directory, no listener, no waiting).
TEST_F(CliTest, PathsWithoutManifestsFailFast) {
  fs::create_directories(dir_ / "empty");
  std::ofstream(dir_ / "empty" / "README.md") << "# manifests go here\n";
  const std::string empty = (dir_ / "empty").string();
  const std::string missing = (dir_ / "no" / "such" / "dir").string();
  const std::string state = (dir_ / "state").string();
  const std::map<std::string, std::string> why = {
      {missing, "no such file or directory; check the path"},
      {empty,
       "the directory holds no *.yaml or *.yml file (entries starting with . are "
       "skipped); pass the directory that holds your manifests"}};
  for (const auto& [path, reason] : why) {
    for (const std::string& command : std::vector<std::string>{
             "validate", "plan", "plan --sim", "apply --state-dir '" + state + "'",
             "run --sim --metrics-addr 127.0.0.1:0 --state-dir '" + state + "'"}) {
      const auto start = std::chrono::steady_clock::now();
      const Result run = Converge(command + " '" + path + "'");
      EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5)) << command;
      EXPECT_EQ(run.exit_code, 1) << command << "\n" << run.err;
      EXPECT_EQ(run.out, "") << command;
      EXPECT_EQ(run.err,
                "no manifests found under " + path + ": " + reason + "\n1 error in 0 files\n")
          << command;
      EXPECT_FALSE(fs::exists(state)) << command;
    }
  }
}

TEST_F(CliTest, TabIndentationIsNamedWithFileAndLine) {
  const std::string path = Write("tabs.yaml",
                                 "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata:\n"
                                 "\tname: scnet-x\n");
  const Result run = Converge("validate '" + path + "'");
  EXPECT_EQ(run.exit_code, 1);
  EXPECT_EQ(run.err, path +
                         ":4:1: invalid YAML: tabs are not allowed in YAML indentation; indent "
                         "with spaces\n1 error in 1 file\n");
}

// The top-level help names every command the same way and sends to its --help,
// which lists that command's flags.
TEST_F(CliTest, HelpNamesEveryCommandAndPointsToItsHelp) {
  const Result help = Converge("--help");
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_THAT(help.out, HasSubstr("\nEvery command's flags: converge COMMAND --help\n"));
  const std::regex line(
      "^  converge ([a-z]+)( PATH\\.\\.\\.| \\[KIND/NAME\\.\\.\\.\\])?( \\[flags\\])?( "
      "+[A-Za-z].*)?$");
  std::vector<std::string> commands;
  for (const auto& l : SplitLines(help.out)) {
    if (!l.starts_with("  converge ")) continue;
    std::smatch m;
    ASSERT_TRUE(std::regex_match(l, m, line)) << l;
    EXPECT_EQ(m[3].matched, m[1] != "version") << l;
    commands.push_back(m[1]);
  }
  EXPECT_THAT(commands, ElementsAre("validate", "plan", "apply", "run", "status", "reconcile",
                                    "sim", "schema", "version"));
  for (const auto& c : commands) {
    if (c == "version") continue;
    const Result sub = Converge(c + " --help");
    EXPECT_EQ(sub.exit_code, 0) << c;
    EXPECT_TRUE(sub.out.starts_with("usage: converge " + c + " ")) << sub.out;
  }
}

TEST_F(CliTest, SchemaMatchesSpecsDirectory) {
  const Result bundle = Converge("schema");
  EXPECT_EQ(bundle.exit_code, 0);
  EXPECT_EQ(bundle.out, Slurp(fs::path(CONVERGE_SOURCE_DIR) / "specs/converge.schema.json"));
  const Result one = Converge("schema --kind TiOneNotebook");
  EXPECT_EQ(one.exit_code, 0);
  EXPECT_EQ(one.out, Slurp(fs::path(CONVERGE_SOURCE_DIR) / "specs/tionenotebook.schema.json"));
  EXPECT_EQ(Converge("schema --kind Pod").exit_code, 1);

  const Result out = Converge("schema --out '" + (dir_ / "specs").string() + "'");
  EXPECT_EQ(out.exit_code, 0) << out.err;
  for (const char* name :
       {"provider.schema.json", "containerinstance.schema.json", "notebookservice.schema.json",
        "tionenotebook.schema.json", "converge.schema.json"}) {
    EXPECT_EQ(Slurp(dir_ / "specs" / name), Slurp(fs::path(CONVERGE_SOURCE_DIR) / "specs" / name))
        << name;
  }
}

}  // namespace

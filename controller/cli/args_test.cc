#include "cli/args.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace converge::cli {
namespace {

Result<Args> Parse(std::vector<std::string> argv) {
  std::vector<char*> ptrs;
  for (auto& a : argv) ptrs.push_back(a.data());
  return ParseArgs(static_cast<int>(ptrs.size()), ptrs.data(), 0,
                   {{"addr"}, {"fault", true, true}, {"sim", false}});
}

TEST(ParseArgsTest, ReadsFlagsAndPositionals) {
  auto args = Parse({"a.yaml", "--addr=127.0.0.1:1", "--fault", "x:error", "--fault", "y:drop",
                     "--sim", "--", "--not-a-flag"});
  ASSERT_TRUE(args) << args.error().message;
  EXPECT_EQ(args->positional, (std::vector<std::string>{"a.yaml", "--not-a-flag"}));
  EXPECT_EQ(args->Get("addr"), "127.0.0.1:1");
  EXPECT_EQ(args->values["fault"], (std::vector<std::string>{"x:error", "y:drop"}));
  EXPECT_TRUE(args->Has("sim"));
}

TEST(ParseArgsTest, MistakesAreInvalidArgumentsNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string>, std::string>> cases = {
      {{"--nope"}, "unknown flag --nope"},
      {{"--sim=yes"}, "flag --sim takes no value"},
      {{"--addr"}, "flag --addr needs a value"},
  };
  for (const auto& [argv, message] : cases) {
    auto args = Parse(argv);
    ASSERT_FALSE(args) << message;
    EXPECT_EQ(args.error().code, Error::Code::kInvalidArgument);
    EXPECT_EQ(args.error().message, message);
  }
}

TEST(ParseCommandTest, PathsMayBeReplacedByTheNamedFlag) {
  const CommandSpec spec{.name = "run",
                         .usage = "usage\n",
                         .flags = {{"git"}},
                         .takes_paths = true,
                         .paths_unless = "git"};
  std::vector<std::string> with_git = {"--git", "file:///r.git"};
  std::vector<char*> ptrs;
  for (auto& a : with_git) ptrs.push_back(a.data());
  int code = -1;
  auto args = ParseCommand(spec, static_cast<int>(ptrs.size()), ptrs.data(), &code);
  ASSERT_TRUE(args.has_value());
  EXPECT_EQ(args->Get("git"), "file:///r.git");

  ::testing::internal::CaptureStderr();
  auto none = ParseCommand(spec, 0, nullptr, &code);
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_FALSE(none.has_value());
  EXPECT_EQ(code, 1);
  EXPECT_EQ(err, "converge run: no PATH given (nor --git)\n\nusage\n");
}

}  // namespace
}  // namespace converge::cli

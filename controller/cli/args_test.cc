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

}  // namespace
}  // namespace converge::cli

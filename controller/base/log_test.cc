#include "base/log.h"

#include <gtest/gtest.h>

#include "base/redact.h"

namespace converge::log {
namespace {

TEST(LogTest, FormatsFieldsAndQuotes) {
  CaptureForTesting capture(Level::kInfo);
  Info("created", {{"kind", "ContainerInstance"}, {"message", "two words"}});
  EXPECT_NE(capture.Text().find(" info created kind=ContainerInstance message=\"two words\"\n"),
            std::string::npos)
      << capture.Text();
}

TEST(LogTest, LevelFilters) {
  CaptureForTesting capture(Level::kWarn);
  Info("hidden");
  Warn("shown");
  EXPECT_EQ(capture.Text().find("hidden"), std::string::npos);
  EXPECT_NE(capture.Text().find("shown"), std::string::npos);
}

TEST(LogTest, LinesAreRedacted) {
  RegisterSecret("sentinel-secret-1234");
  CaptureForTesting capture(Level::kDebug);
  Debug("oops", {{"value", "sentinel-secret-1234"}});
  EXPECT_EQ(capture.Text().find("sentinel-secret-1234"), std::string::npos);
  EXPECT_NE(capture.Text().find("[REDACTED]"), std::string::npos);
  ClearSecretsForTesting();
}

TEST(LogTest, ParseLevel) {
  Level l;
  EXPECT_TRUE(ParseLevel("debug", &l));
  EXPECT_EQ(l, Level::kDebug);
  EXPECT_FALSE(ParseLevel("verbose", &l));
}

}  // namespace
}  // namespace converge::log

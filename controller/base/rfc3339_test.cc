#include "base/rfc3339.h"

#include <gtest/gtest.h>

namespace converge {
namespace {

TEST(Rfc3339Test, FormatsUtcWithMilliseconds) {
  EXPECT_EQ(FormatRfc3339(1795460645123), "2026-11-23T19:04:05.123Z");
  EXPECT_EQ(FormatRfc3339(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(FormatRfc3339(-1), "1969-12-31T23:59:59.999Z");
}

TEST(Rfc3339Test, ParsesWhatItFormatsAndOffsets) {
  EXPECT_EQ(ParseRfc3339("2026-11-23T19:04:05.123Z"), 1795460645123);
  EXPECT_EQ(ParseRfc3339("2026-11-23T19:04:05Z"), 1795460645000);
  EXPECT_EQ(ParseRfc3339("2026-11-23T19:04:05.1234567Z"), 1795460645123);
  EXPECT_EQ(ParseRfc3339("2026-11-24T03:04:05.5+08:00"), 1795460645500);
  EXPECT_EQ(ParseRfc3339("2026-11-23t19:04:05z"), 1795460645000);
}

TEST(Rfc3339Test, RejectsMalformed) {
  for (const char* bad : {"", "2026-11-23", "2026-11-23T19:04:05", "2026-11-23T19:04:05.Z",
                          "2026-13-23T19:04:05Z", "2026-11-23T19:04:05Zx", "1795460645123"}) {
    EXPECT_EQ(ParseRfc3339(bad), std::nullopt) << bad;
  }
}

}  // namespace
}  // namespace converge

#include "base/net.h"

#include <gtest/gtest.h>

namespace converge::net {
namespace {

TEST(NetTest, SplitsHostPort) {
  std::string host;
  int port = -1;
  ASSERT_TRUE(SplitHostPort("127.0.0.1:9464", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_EQ(port, 9464);
  ASSERT_TRUE(SplitHostPort("[::1]:0", &host, &port));
  EXPECT_EQ(host, "::1");
  EXPECT_EQ(port, 0);
  ASSERT_TRUE(SplitHostPort("localhost:80", &host, &port));
  EXPECT_EQ(host, "127.0.0.1");
  EXPECT_FALSE(SplitHostPort("127.0.0.1", &host, &port));
  EXPECT_FALSE(SplitHostPort(":80", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:65536", &host, &port));
  EXPECT_FALSE(SplitHostPort("h:8o", &host, &port));
}

TEST(NetTest, LoopbackAddresses) {
  for (const char* yes : {"127.0.0.1", "127.9.8.7", "::1", "[::1]", "::ffff:127.0.0.1"}) {
    EXPECT_TRUE(IsLoopback(yes)) << yes;
  }
  for (const char* no : {"10.0.0.1", "128.0.0.1", "::2", "::ffff:10.0.0.1", "fe80::1", "",
                         "localhost", "127.0.0.1:80"}) {
    EXPECT_FALSE(IsLoopback(no)) << no;
  }
}

TEST(NetTest, FreePortIsBindable) {
  const int port = FreePort("127.0.0.1");
  EXPECT_GT(port, 0);
  EXPECT_EQ(FreePort("not-an-address"), 0);
}

}  // namespace
}  // namespace converge::net

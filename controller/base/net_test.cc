#include "base/net.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace converge::net {
namespace {

TEST(NetTest, SplitsHostPort) {
  auto v4 = SplitHostPort("127.0.0.1:9464");
  ASSERT_TRUE(v4) << v4.error().message;
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9464);
  auto v6 = SplitHostPort("[::1]:0");
  ASSERT_TRUE(v6) << v6.error().message;
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 0);
  auto local = SplitHostPort("localhost:80");
  ASSERT_TRUE(local) << local.error().message;
  EXPECT_EQ(local->host, "127.0.0.1");
  for (const char* bad : {"127.0.0.1", ":80", "h:65536", "h:8o"}) {
    auto r = SplitHostPort(bad);
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, Error::Code::kInvalidArgument) << bad;
    EXPECT_EQ(
        r.error().message,
        "\"" + std::string(bad) + "\" is not HOST:PORT with a port 0..65535 (e.g. 127.0.0.1:8089)");
  }
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

TEST(NetTest, JoinsHostPortWithBracketsForIpv6) {
  EXPECT_EQ(JoinHostPort("127.0.0.1", 9464), "127.0.0.1:9464");
  EXPECT_EQ(JoinHostPort("::1", 0), "[::1]:0");
}

// Port 0: another process may take the free port before the listener does; the
// next free port is tried.
TEST(NetTest, BindListenerRetriesWhenTheFreePortIsTaken) {
  std::vector<std::string> urls;
  const auto open = [&](const std::string& url) -> Status {
    urls.push_back(url);
    if (urls.size() == 3) return {};
    return std::unexpected(Error::Unavailable("Address already in use"));
  };
  auto port = BindListener("127.0.0.1", 0, open);
  ASSERT_TRUE(port) << port.error().message;
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_GT(*port, 0);
  EXPECT_EQ(urls.back(), "http://127.0.0.1:" + std::to_string(*port));
}

TEST(NetTest, BindListenerGivesUpAfterTwentyFreePorts) {
  int calls = 0;
  const auto open = [&](const std::string&) -> Status {
    return std::unexpected(
        Error::Internal("Address already in use (" + std::to_string(++calls) + ")"));
  };
  auto port = BindListener("127.0.0.1", 0, open);
  ASSERT_FALSE(port);
  EXPECT_EQ(calls, 20);
  EXPECT_EQ(port.error().message, "Address already in use (20)");
  EXPECT_EQ(port.error().code, Error::Code::kUnavailable);
  EXPECT_TRUE(port.error().retryable);
}

TEST(NetTest, BindListenerTriesAGivenPortOnce) {
  std::vector<std::string> urls;
  const auto open = [&](const std::string& url) -> Status {
    urls.push_back(url);
    return std::unexpected(Error::Unavailable("Address already in use"));
  };
  auto port = BindListener("::1", 8089, open);
  ASSERT_FALSE(port);
  EXPECT_EQ(urls, std::vector<std::string>{"http://[::1]:8089"});
  EXPECT_EQ(port.error().message, "Address already in use");
}

TEST(NetTest, BindListenerRefusesAHostThatIsNoLocalAddress) {
  bool opened = false;
  const auto open = [&](const std::string&) -> Status {
    opened = true;
    return {};
  };
  auto port = BindListener("example.invalid", 0, open);
  ASSERT_FALSE(port);
  EXPECT_FALSE(opened);
  EXPECT_EQ(port.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(port.error().message,
            "\"example.invalid\" is not a local IP address such as 127.0.0.1");
}

}  // namespace
}  // namespace converge::net

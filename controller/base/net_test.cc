#include "base/net.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

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

TEST(NetTest, JoinsHostPortWithBracketsForIpv6) {
  EXPECT_EQ(JoinHostPort("127.0.0.1", 9464), "127.0.0.1:9464");
  EXPECT_EQ(JoinHostPort("::1", 0), "[::1]:0");
}

// Port 0: another process may take the free port before the listener does; the
// next free port is tried.
TEST(NetTest, BindListenerRetriesWhenTheFreePortIsTaken) {
  std::vector<std::string> urls;
  const auto open = [&](const std::string& url, std::string* why) {
    urls.push_back(url);
    *why = "Address already in use";
    return urls.size() == 3;
  };
  int port = 0;
  std::string error;
  ASSERT_TRUE(BindListener("127.0.0.1", 0, open, &port, &error)) << error;
  ASSERT_EQ(urls.size(), 3u);
  EXPECT_GT(port, 0);
  EXPECT_EQ(urls.back(), "http://127.0.0.1:" + std::to_string(port));
}

TEST(NetTest, BindListenerGivesUpAfterTwentyFreePorts) {
  int calls = 0;
  const auto open = [&](const std::string&, std::string* why) {
    *why = "Address already in use (" + std::to_string(++calls) + ")";
    return false;
  };
  int port = -1;
  std::string error;
  EXPECT_FALSE(BindListener("127.0.0.1", 0, open, &port, &error));
  EXPECT_EQ(calls, 20);
  EXPECT_EQ(error, "Address already in use (20)");
  EXPECT_EQ(port, -1);
}

TEST(NetTest, BindListenerTriesAGivenPortOnce) {
  std::vector<std::string> urls;
  const auto open = [&](const std::string& url, std::string* why) {
    urls.push_back(url);
    *why = "Address already in use";
    return false;
  };
  int port = -1;
  std::string error;
  EXPECT_FALSE(BindListener("::1", 8089, open, &port, &error));
  EXPECT_EQ(urls, std::vector<std::string>{"http://[::1]:8089"});
  EXPECT_EQ(error, "Address already in use");
}

TEST(NetTest, BindListenerRefusesAHostThatIsNoLocalAddress) {
  bool opened = false;
  const auto open = [&](const std::string&, std::string*) { return opened = true; };
  int port = -1;
  std::string error;
  EXPECT_FALSE(BindListener("example.invalid", 0, open, &port, &error));
  EXPECT_FALSE(opened);
  EXPECT_EQ(error, "\"example.invalid\" is not a local IP address such as 127.0.0.1");
}

}  // namespace
}  // namespace converge::net

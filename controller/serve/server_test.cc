#include "serve/server.h"

#include <atomic>

#include <cpprest/http_client.h>
#include <gtest/gtest.h>

namespace converge::serve {
namespace {

struct Got {
  int status;
  std::string body;
  std::string content_type;
};

Got Get(const std::string& address, const std::string& path) {
  web::http::client::http_client_config config;
  config.set_timeout(std::chrono::seconds(5));
  web::http::client::http_client client("http://" + address, config);
  auto response = client.request(web::http::methods::GET, path).get();
  return {response.status_code(), response.extract_string().get(),
          response.headers().content_type()};
}

TEST(ServerTest, ServesEveryEndpointOnLoopback) {
  std::atomic<bool> ready{false};  // read by the listener's threads
  Server server("127.0.0.1:0", Endpoints{[] { return std::string("converge_up 1\n"); },
                                         [] {
                                           return nlohmann::json{{"revision", "abc"}};
                                         },
                                         [&](std::string* why) {
                                           *why = "provider scnet not listed yet";
                                           return ready.load();
                                         }});
  std::string error;
  ASSERT_TRUE(server.Start(&error)) << error;
  const std::string addr = server.address();
  EXPECT_NE(addr, "127.0.0.1:0");

  Got metrics = Get(addr, "/metrics");
  EXPECT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.body, "converge_up 1\n");
  EXPECT_EQ(metrics.content_type, "text/plain; version=0.0.4; charset=utf-8");

  EXPECT_EQ(Get(addr, "/healthz").body, "ok\n");

  Got not_ready = Get(addr, "/readyz");
  EXPECT_EQ(not_ready.status, 503);
  EXPECT_EQ(not_ready.body, "not ready: provider scnet not listed yet\n");
  ready = true;
  EXPECT_EQ(Get(addr, "/readyz").status, 200);

  Got status = Get(addr, "/status");
  EXPECT_EQ(status.status, 200);
  EXPECT_EQ(nlohmann::json::parse(status.body)["revision"], "abc");

  EXPECT_EQ(Get(addr, "/nope").status, 404);
  server.Stop();
}

TEST(ServerTest, BadAddressesAreClearErrors) {
  Server bad("nonsense", Endpoints{});
  std::string error;
  EXPECT_FALSE(bad.Start(&error));
  EXPECT_EQ(error, "listen address \"nonsense\" is not host:port (e.g. 127.0.0.1:9464)");

  Server first("127.0.0.1:0",
               Endpoints{[] { return std::string(); }, [] { return nlohmann::json(); },
                         [](std::string*) { return true; }});
  ASSERT_TRUE(first.Start(&error)) << error;
  Server second(first.address(), Endpoints{});
  EXPECT_FALSE(second.Start(&error));
  EXPECT_NE(error.find("cannot listen on " + first.address()), std::string::npos) << error;
}

// A host that is no local IP address fails at once with what to fix, rather than
// trying to listen on port 0 of whatever the name resolves to.
TEST(ServerTest, HostThatIsNoLocalAddressIsAClearError) {
  Server server("metrics.example.invalid:0", Endpoints{});
  std::string error;
  EXPECT_FALSE(server.Start(&error));
  EXPECT_EQ(error,
            "cannot listen on metrics.example.invalid:0: \"metrics.example.invalid\" is not a "
            "local IP address such as 127.0.0.1 (is another process using the port? "
            "choose one with --metrics-addr)");
  EXPECT_EQ(server.address(), "metrics.example.invalid:0");
}

}  // namespace
}  // namespace converge::serve

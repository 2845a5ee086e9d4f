// The small HTTP client (http_client.h) against our own listener, and the
// listener features the simulator uses: the query, answers cut short on purpose,
// listener options.
#include "serve/http_client.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "base/net.h"
#include "serve/http_listener.h"

namespace converge::serve {
namespace {

// A listener on 127.0.0.1 with `handler`, and its address.
struct Listening {
  explicit Listening(HttpHandler handler, HttpListenerOptions options = {})
      : listener(HttpLimits{}, std::move(handler), std::move(options)) {
    auto bound = net::BindListener("127.0.0.1", 0,
                                   [&](const std::string& url) { return listener.Listen(url); });
    if (!bound) throw std::runtime_error(bound.error().message);
    address = "127.0.0.1:" + std::to_string(*bound);
  }
  HttpListener listener;
  std::string address;
};

TEST(HttpClientTest, SendsTheRequestAndReadsStatusHeadersAndBody) {
  HttpRequest seen;
  Listening l([&](const HttpRequest& r) {
    seen = r;
    HttpResponse response = HttpResponse::Text(202, "{\"ok\":true}", "application/json");
    response.headers.emplace_back("X-Answer", "yes");
    return response;
  });
  Result<ClientResponse> answer = Exchange(l.address, {.method = "POST",
                                                       .target = "/a%20b?ids=1&ids=2#frag",
                                                       .headers = {{"token", "t"}},
                                                       .body = "{}",
                                                       .content_type = "application/json"});
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->status, 202);
  EXPECT_EQ(answer->Header("content-type"), "application/json");
  EXPECT_EQ(answer->Header("x-answer"), "yes");
  EXPECT_EQ(answer->body, "{\"ok\":true}");
  EXPECT_EQ(seen.method, "POST");
  EXPECT_EQ(seen.path, "/a%20b");
  EXPECT_EQ(seen.query, "ids=1&ids=2");
  EXPECT_EQ(seen.Header("host"), l.address);
  EXPECT_EQ(seen.Header("token"), "t");
  EXPECT_EQ(seen.Header("content-type"), "application/json");
  EXPECT_EQ(seen.body, "{}");
}

TEST(HttpClientTest, AHostHeaderOfTheRequestReplacesTheAddress) {
  std::string host;
  Listening l([&](const HttpRequest& r) {
    host = r.Header("host");
    return HttpResponse::Text(200, "");
  });
  ASSERT_TRUE(Exchange(l.address, {.headers = {{"Host", "example.com"}}}));
  EXPECT_EQ(host, "example.com");
}

TEST(HttpClientTest, AnAnswerCutShortOnPurposeIsAFailureSayingHowMuchCame) {
  Listening l([](const HttpRequest&) {
    HttpResponse response = HttpResponse::Text(200, "01234", "application/json");
    response.announced_length = 10;
    return response;
  });
  Result<ClientResponse> answer = Exchange(l.address, {});
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Error::Code::kUnavailable);
  EXPECT_EQ(answer.error().message, "the connection closed after 5 of 10 body bytes");
}

TEST(HttpClientTest, RefusedAndUnansweredRequestsSayWhatFailed) {
  const int port = net::FreePort("127.0.0.1");
  ASSERT_GT(port, 0);
  Result<ClientResponse> refused = Exchange("127.0.0.1:" + std::to_string(port), {});
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().message, "connection refused");
  EXPECT_TRUE(refused.error().retryable);

  Listening slow([](const HttpRequest&) {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    return HttpResponse::Text(200, "late");
  });
  Result<ClientResponse> late = Exchange(slow.address, {.timeout = std::chrono::milliseconds(100)});
  ASSERT_FALSE(late);
  EXPECT_EQ(late.error().message, "no answer within 100 ms");
}

// A TLS ClientHello sent to a plain-http port is refused at once (a TLS client
// then reports "wrong version number"), not left waiting for a head that never ends.
TEST(HttpClientTest, BytesThatCannotBeARequestLineGet400AtOnce) {
  Listening l([](const HttpRequest&) { return HttpResponse::Text(200, ""); });
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  timeval timeout{2, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::stoi(l.address.substr(10))));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  const std::string hello("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11);
  ASSERT_EQ(::send(fd, hello.data(), hello.size(), MSG_NOSIGNAL), 11);
  char buf[256];
  const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
  ::close(fd);
  ASSERT_GT(n, 0) << "no answer within 2 s";
  EXPECT_TRUE(std::string(buf, static_cast<size_t>(n)).starts_with("HTTP/1.1 400 Bad Request"));
}

TEST(HttpClientTest, ListenerOptionsNameTheThreads) {
  const auto threads_named = [](const std::string& name) {
    int count = 0;
    for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
      std::ifstream comm(task.path() / "comm");
      std::string n;
      std::getline(comm, n);
      count += n == name;
    }
    return count;
  };
  Listening l([](const HttpRequest&) { return HttpResponse::Text(200, ""); },
              {.thread_prefix = "test", .name = "test server", .nice_increment = 0});
  ASSERT_TRUE(Exchange(l.address, {}));
  EXPECT_EQ(threads_named("test-accept"), 1);
  EXPECT_EQ(threads_named(HttpListener::kAcceptThread), 0);
}

}  // namespace
}  // namespace converge::serve

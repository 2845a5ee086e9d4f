// An endpoint answering a body far larger than any cloud answer (a wrong
// endpoint, a misbehaving proxy): the transport reads at most kMaxAnswerBytes,
// closes the connection and fails the call with a clear error, over real sockets
// on loopback, whether the answer declares its length or is chunked.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "cloud/http/socket_transport.h"
#include "support/loopback_socket.h"

namespace converge::cloud::http {
namespace {

constexpr size_t kHuge = size_t{256} << 20;  // what the server offers to send

// Serves two connections on 127.0.0.1: the first answers 200 with a body of
// kHuge bytes (declared by Content-Length, or chunked), written 1 MiB at a time
// until the client stops reading; the second answers 200 "{}".
class HugeAnswerServer {
 public:
  explicit HugeAnswerServer(bool chunked) {
    fd_ = test_support::ListenOnLoopback(4, &port_);
    thread_ = std::thread([this, chunked] {
      for (int i = 0; i < 2; ++i) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        timeval timeout{10, 0};  // bounded, should the client neither read nor close
        ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
          const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
          if (n <= 0) break;
          request.append(buffer, static_cast<size_t>(n));
        }
        if (i == 0) {
          Flood(client, chunked);
        } else {
          Send(client, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        }
        ::close(client);
      }
    });
  }
  ~HugeAnswerServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  int port() const { return port_; }
  // Body bytes the client accepted before it closed the connection.
  size_t body_sent() const { return body_sent_; }

 private:
  static bool Send(int fd, const std::string& data) {
    return ::send(fd, data.data(), data.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(data.size());
  }
  void Flood(int client, bool chunked) {
    Send(client, chunked
                     ? "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                     : "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(kHuge) + "\r\n\r\n");
    const std::string mib(size_t{1} << 20, 'x');
    char size_line[32];
    std::snprintf(size_line, sizeof size_line, "%zx\r\n", mib.size());
    while (body_sent_ < kHuge) {
      if (chunked && !Send(client, size_line)) return;
      if (!Send(client, mib) || (chunked && !Send(client, "\r\n"))) return;
      body_sent_ += mib.size();
    }
    if (chunked) Send(client, "0\r\n\r\n");
  }
  int fd_ = -1;
  int port_ = 0;
  std::atomic<size_t> body_sent_ = 0;
  std::thread thread_;
};

class HugeAnswerTest : public ::testing::TestWithParam<bool> {};

TEST_P(HugeAnswerTest, IsAbandonedAtTheLimitWithAClearErrorAndTheClientGoesOn) {
  HugeAnswerServer server(GetParam());
  const std::string where = "127.0.0.1:" + std::to_string(server.port());
  auto transport = MakeHttpTransport({.endpoint = "http://" + where});
  ASSERT_TRUE(transport) << transport.error().message;
  Result<HttpResponse> answer = (*transport)->Send({.method = "GET", .target = "/list"});
  ASSERT_FALSE(answer) << "read a body of " << answer->body.size() << " bytes";
  EXPECT_EQ(answer.error().category, Error::Category::kProtocol);
  EXPECT_FALSE(answer.error().retryable);
  EXPECT_EQ(answer.error().http_status, 200);
  const std::string seen = GetParam() ? "over " : "Content-Length 268435456";
  EXPECT_TRUE(answer.error().message.starts_with("the answer from " + where +
                                                 " is larger than 16 MiB (" + seen))
      << answer.error().message;
  EXPECT_TRUE(answer.error().message.ends_with(
      "); it was abandoned unread. Check that spec.endpoint is the cloud's API"))
      << answer.error().message;
  // The next call, on a new connection, is served normally.
  Result<HttpResponse> next = (*transport)->Send({.method = "GET", .target = "/list"});
  ASSERT_TRUE(next) << next.error().message;
  EXPECT_EQ(next->body, "{}");
  // The limit, plus what the socket buffers hold, was all the client took.
  EXPECT_LT(server.body_sent(), kMaxAnswerBytes + (size_t{16} << 20));
}

INSTANTIATE_TEST_SUITE_P(DeclaredOrChunked, HugeAnswerTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "Chunked" : "Declared"; });

}  // namespace
}  // namespace converge::cloud::http

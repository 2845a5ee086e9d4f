#include "serve/http_listener.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/net.h"
#include "serve/coalesced.h"
#include "support/poll.h"

namespace converge::serve {
namespace {

// A listener on loopback whose handler answers "PEER METHOD PATH BODY" and
// counts the requests it saw.
struct Served {
  explicit Served(HttpLimits limits = {}, std::string host = "127.0.0.1")
      : listener(limits, [this](const HttpRequest& r) {
          ++requests;
          if (r.body_too_large) ++too_large;
          return HttpResponse::Text(r.body_too_large ? 413 : 200,
                                    r.peer + " " + r.method + " " + r.path + " " + r.body);
        }) {
    auto bound =
        net::BindListener(host, 0, [&](const std::string& url) { return listener.Listen(url); });
    if (!bound) throw std::runtime_error(bound.error().message);
    port = *bound;
  }
  std::atomic<int> requests = 0;
  std::atomic<int> too_large = 0;
  HttpListener listener;
  int port = 0;
};

int Connect(int port, bool v6 = false) {
  const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM, 0);
  timeval timeout{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
  int rc;
  if (v6) {
    sockaddr_in6 addr{};
    addr.sin6_family = AF_INET6;
    addr.sin6_port = htons(static_cast<uint16_t>(port));
    addr.sin6_addr = in6addr_loopback;
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  } else {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    rc = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  }
  if (rc != 0) throw std::runtime_error("connect failed");
  return fd;
}

void SendAll(int fd, const std::string& data) {
  size_t at = 0;
  while (at < data.size()) {
    const ssize_t n = ::send(fd, data.data() + at, data.size() - at, MSG_NOSIGNAL);
    if (n <= 0) throw std::runtime_error("send failed");
    at += static_cast<size_t>(n);
  }
}

struct Answer {
  std::string head;  // status line and headers
  std::string body;
};

// One answer (head and Content-Length bytes of body); `rest` keeps what follows.
Answer ReadAnswer(int fd, std::string& rest) {
  size_t end;
  while ((end = rest.find("\r\n\r\n")) == std::string::npos) {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) return {"closed: " + rest, ""};
    rest.append(buf, static_cast<size_t>(n));
  }
  Answer a{rest.substr(0, end), ""};
  const size_t cl = a.head.find("Content-Length: ");
  const size_t length = cl == std::string::npos ? 0 : std::stoul(a.head.substr(cl + 16));
  rest.erase(0, end + 4);
  while (rest.size() < length) {
    char buf[4096];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    rest.append(buf, static_cast<size_t>(n));
  }
  a.body = rest.substr(0, length);
  rest.erase(0, length);
  return a;
}

Answer ReadAnswer(int fd) {
  std::string rest;
  return ReadAnswer(fd, rest);
}

// True when the server closed the connection (recv reads the end, not a timeout).
bool ClosedByServer(int fd) {
  char buf[4096];
  ssize_t n;
  while ((n = ::recv(fd, buf, sizeof buf, 0)) > 0) {
  }
  return n == 0 || errno == ECONNRESET;
}

std::string StatusLine(const Answer& a) { return a.head.substr(0, a.head.find("\r\n")); }

TEST(HttpListenerTest, KeepAliveServesSeveralRequestsOnOneConnection) {
  Served s;
  const int fd = Connect(s.port);
  std::string rest;
  for (int i = 0; i < 3; ++i) {
    SendAll(fd, "GET /metrics?x=" + std::to_string(i) + " HTTP/1.1\r\nHost: a\r\n\r\n");
    const Answer a = ReadAnswer(fd, rest);
    EXPECT_EQ(StatusLine(a), "HTTP/1.1 200 OK");
    EXPECT_NE(a.head.find("\r\nConnection: keep-alive"), std::string::npos) << a.head;
    EXPECT_EQ(a.body, "127.0.0.1 GET /metrics ");
  }
  // Two requests in one write, the second with a body: two answers, in order.
  SendAll(fd,
          "GET /a HTTP/1.1\r\n\r\nPOST /b HTTP/1.1\r\nContent-Length: 5\r\nConnection: "
          "close\r\n\r\nhello");
  EXPECT_EQ(ReadAnswer(fd, rest).body, "127.0.0.1 GET /a ");
  const Answer last = ReadAnswer(fd, rest);
  EXPECT_EQ(last.body, "127.0.0.1 POST /b hello");
  EXPECT_NE(last.head.find("\r\nConnection: close"), std::string::npos) << last.head;
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
  EXPECT_EQ(s.requests, 5);
}

TEST(HttpListenerTest, ConnectionCloseAndHttp10CloseAfterTheAnswer) {
  Served s;
  for (const std::string request :
       {"GET / HTTP/1.1\r\nConnection: close\r\n\r\n", "GET / HTTP/1.0\r\n\r\n"}) {
    const int fd = Connect(s.port);
    SendAll(fd, request);
    const Answer a = ReadAnswer(fd);
    EXPECT_EQ(StatusLine(a), "HTTP/1.1 200 OK") << request;
    EXPECT_NE(a.head.find("\r\nConnection: close"), std::string::npos) << a.head;
    EXPECT_TRUE(ClosedByServer(fd)) << request;
    ::close(fd);
  }
  EXPECT_EQ(s.requests, 2);
}

TEST(HttpListenerTest, OversizedHeadGets431AndIsClosed) {
  Served s;
  const int fd = Connect(s.port);
  SendAll(fd, "GET / HTTP/1.1\r\nX-Big: " + std::string(20 * 1024, 'x') + "\r\n\r\n");
  const Answer a = ReadAnswer(fd);
  EXPECT_EQ(StatusLine(a), "HTTP/1.1 431 Request Header Fields Too Large");
  EXPECT_EQ(a.body, "the request line and headers are over 16 KiB\n");
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
  EXPECT_EQ(s.requests, 0);
}

TEST(HttpListenerTest, MalformedRequestsGet400AndChunkedBodies411) {
  Served s;
  for (const std::string request :
       {"HELLO\r\n\r\n", "GET / HTTP/2\r\n\r\n", "get / HTTP/1.1\r\n\r\n",
        "GET nopath HTTP/1.1\r\n\r\n", "GET / HTTP/1.1\r\nno colon\r\n\r\n"}) {
    const int fd = Connect(s.port);
    SendAll(fd, request);
    const Answer a = ReadAnswer(fd);
    EXPECT_EQ(StatusLine(a), "HTTP/1.1 400 Bad Request") << request;
    EXPECT_TRUE(a.body.starts_with("bad request: ")) << a.body;
    EXPECT_TRUE(ClosedByServer(fd)) << request;
    ::close(fd);
  }
  const int fd = Connect(s.port);
  SendAll(fd, "POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n");
  const Answer a = ReadAnswer(fd);
  EXPECT_EQ(StatusLine(a), "HTTP/1.1 411 Length Required");
  EXPECT_EQ(a.body, "chunked request bodies are not served; send the body with a Content-Length\n");
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
  EXPECT_EQ(s.requests, 0);
}

// The answer comes while the client has sent 10 bytes of the 100 MiB it
// announced: the server does not wait for (or buffer) the body.
TEST(HttpListenerTest, BodyOverTheLimitIsAnsweredWithoutReadingIt) {
  Served s;
  const int fd = Connect(s.port);
  SendAll(fd, "POST /reconcile HTTP/1.1\r\nContent-Length: 104857600\r\n\r\n0123456789");
  const Answer a = ReadAnswer(fd);
  EXPECT_EQ(StatusLine(a), "HTTP/1.1 413 Content Too Large");
  EXPECT_EQ(a.body, "127.0.0.1 POST /reconcile ");  // the handler saw no body
  EXPECT_NE(a.head.find("\r\nConnection: close"), std::string::npos) << a.head;
  EXPECT_TRUE(ClosedByServer(fd));
  ::close(fd);
  EXPECT_EQ(s.too_large, 1);
}

TEST(HttpListenerTest, SlowAndIdleClientsAreDroppedAfterTheirTimeouts) {
  Served s(HttpLimits{.idle_timeout = std::chrono::milliseconds(200),
                      .request_timeout = std::chrono::milliseconds(200)});
  const int half = Connect(s.port);
  SendAll(half, "GET /metrics HTTP/1.1\r\nHost:");
  const Answer a = ReadAnswer(half);
  EXPECT_EQ(StatusLine(a), "HTTP/1.1 408 Request Timeout");
  EXPECT_EQ(a.body, "the request did not arrive in time\n");
  EXPECT_TRUE(ClosedByServer(half));
  ::close(half);

  const int body = Connect(s.port);
  SendAll(body, "POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\n01234");
  EXPECT_EQ(StatusLine(ReadAnswer(body)), "HTTP/1.1 408 Request Timeout");
  ::close(body);

  const int idle = Connect(s.port);  // never sends: closed without an answer
  char c;
  EXPECT_EQ(::recv(idle, &c, 1, 0), 0);
  ::close(idle);
  EXPECT_EQ(s.requests, 0);
}

TEST(HttpListenerTest, ConnectionsOverTheCapGet503) {
  Served s(HttpLimits{.max_connections = 2});
  int open[2];
  for (int& fd : open) {
    fd = Connect(s.port);
    SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
    EXPECT_EQ(StatusLine(ReadAnswer(fd)), "HTTP/1.1 200 OK");  // being served
  }
  const int third = Connect(s.port);
  const Answer refused = ReadAnswer(third);
  EXPECT_EQ(StatusLine(refused), "HTTP/1.1 503 Service Unavailable");
  EXPECT_EQ(refused.body, "too many connections (the limit is 2); try again later\n");
  EXPECT_TRUE(ClosedByServer(third));
  ::close(third);
  // Once one closes, a new one is served.
  ::close(open[0]);
  bool served = test_support::WaitFor(
      [&] {
        const int fd = Connect(s.port);
        SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
        const bool ok = StatusLine(ReadAnswer(fd)) == "HTTP/1.1 200 OK";
        ::close(fd);
        return ok;
      },
      std::chrono::milliseconds(5000), std::chrono::milliseconds(20));
  EXPECT_TRUE(served);
  ::close(open[1]);
}

TEST(HttpListenerTest, IPv6PeersAreReportedAsTheyConnect) {
  std::unique_ptr<Served> s;
  try {
    s = std::make_unique<Served>(HttpLimits{}, "::1");
  } catch (const std::exception& e) {
    GTEST_SKIP() << "no IPv6 loopback here: " << e.what();
  }
  const int fd = Connect(s->port, true);
  SendAll(fd, "GET /p HTTP/1.1\r\n\r\n");
  EXPECT_EQ(ReadAnswer(fd).body, "::1 GET /p ");
  ::close(fd);
}

// The nice value of each of this process's threads named `name`.
std::vector<int> NiceOfThreads(const std::string& name) {
  std::vector<int> nice;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string n;
    std::getline(comm, n);
    if (n != name) continue;
    std::ifstream stat_file(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(stat_file)), {});
    std::istringstream fields(stat.substr(stat.rfind(')') + 2));
    std::string field;
    for (int i = 0; i < 17; ++i) fields >> field;  // state (3rd) .. nice (19th)
    nice.push_back(std::stoi(field));
  }
  return nice;
}

TEST(HttpListenerTest, EveryServingThreadRunsTenNiceLevelsBelowTheProcess) {
  const int base = ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  const int expected = std::min(19, base + Coalesced::kRenderNice);
  Served s;
  int fds[3];
  for (int& fd : fds) {
    fd = Connect(s.port);
    SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
    ASSERT_EQ(StatusLine(ReadAnswer(fd)), "HTTP/1.1 200 OK");
  }
  EXPECT_EQ(NiceOfThreads(HttpListener::kAcceptThread), std::vector<int>{expected});
  EXPECT_EQ(NiceOfThreads(HttpListener::kConnectionThread),
            std::vector<int>(3, expected));  // not +20: each is +10 over the process
  for (int fd : fds) ::close(fd);
}

// Answers larger than the socket buffers go out in pieces (each send made under
// the gate, the waits for room outside it): concurrent clients get every byte.
TEST(HttpListenerTest, LargeAnswersToConcurrentClientsArriveWhole) {
  const auto body = std::make_shared<const std::string>(4 << 20, 'b');
  HttpListener listener(HttpLimits{.concurrent_sends = 1}, [&](const HttpRequest&) {
    return HttpResponse{200, "text/plain", body, {}};
  });
  auto port = net::BindListener("127.0.0.1", 0,
                                [&](const std::string& url) { return listener.Listen(url); });
  ASSERT_TRUE(port) << port.error().message;
  std::atomic<int> whole = 0;
  std::vector<std::thread> clients;
  for (int c = 0; c < 4; ++c) {
    clients.emplace_back([&] {
      const int fd = Connect(*port);
      std::string rest;
      for (int i = 0; i < 2; ++i) {
        SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
        if (ReadAnswer(fd, rest).body == *body) ++whole;
      }
      ::close(fd);
    });
  }
  for (auto& t : clients) t.join();
  EXPECT_EQ(whole, 8);
}

// A client that asks and never reads is dropped once its answer has made no
// progress for request_timeout: it does not keep a thread.
TEST(HttpListenerTest, ClientThatDoesNotReadIsDropped) {
  const auto body = std::make_shared<const std::string>(32 << 20, 'b');
  HttpListener listener(HttpLimits{.request_timeout = std::chrono::milliseconds(200)},
                        [&](const HttpRequest&) {
                          return HttpResponse{200, "text/plain", body, {}};
                        });
  auto port = net::BindListener("127.0.0.1", 0,
                                [&](const std::string& url) { return listener.Listen(url); });
  ASSERT_TRUE(port) << port.error().message;
  const int fd = Connect(*port);
  SendAll(fd, "GET / HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(test_support::WaitFor(
      [] { return NiceOfThreads(HttpListener::kConnectionThread).size() == 1; },
      std::chrono::milliseconds(5000), std::chrono::milliseconds(10)));
  EXPECT_TRUE(
      test_support::WaitFor([] { return NiceOfThreads(HttpListener::kConnectionThread).empty(); },
                            std::chrono::milliseconds(5000), std::chrono::milliseconds(10)));
  ::close(fd);
}

TEST(HttpListenerTest, StopEndsConnectionsMidRequestAndJoinsEveryThread) {
  Served s;
  const int idle = Connect(s.port);
  const int half_head = Connect(s.port);
  SendAll(half_head, "GET /metrics HTTP/1.1\r\nHo");
  const int half_body = Connect(s.port);
  SendAll(half_body, "POST /x HTTP/1.1\r\nContent-Length: 100\r\n\r\n0123");
  const int served = Connect(s.port);
  SendAll(served, "GET / HTTP/1.1\r\n\r\n");
  ASSERT_EQ(StatusLine(ReadAnswer(served)), "HTTP/1.1 200 OK");
  ASSERT_TRUE(test_support::WaitFor(
      [] { return NiceOfThreads(HttpListener::kConnectionThread).size() == 4; },
      std::chrono::milliseconds(5000), std::chrono::milliseconds(10)));
  s.listener.Stop();
  EXPECT_TRUE(NiceOfThreads(HttpListener::kConnectionThread).empty());
  EXPECT_TRUE(NiceOfThreads(HttpListener::kAcceptThread).empty());
  for (int fd : {idle, half_head, half_body, served}) {
    EXPECT_TRUE(ClosedByServer(fd));
    ::close(fd);
  }
  EXPECT_EQ(s.requests, 1);
  s.listener.Stop();  // again: nothing to do
}

}  // namespace
}  // namespace converge::serve

// The socket transport over real sockets on loopback (127.0.0.1 and ::1), against
// a scripted raw server: answer framing, keep-alive reuse, the one resend of a
// read on a pooled connection the server closed, deadlines, size limits.
#include "cloud/http/socket_transport.h"

#include <atomic>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/scripted_server.h"

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;
using test_support::Peer;
using test_support::ScriptedServer;

const std::string kAnswerOk = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}";

// Answers every request on every connection with `answer`.
ScriptedServer::Script AnswerAll(std::string answer) {
  return [answer](Peer& peer, int) {
    while (peer.NextRequest()) peer.Send(answer);
  };
}

// Answers the first request with `answer` (not a whole HTTP answer) and holds the
// connection open until the client closes it.
ScriptedServer::Script AnswerOnceAndHold(std::string answer) {
  return [answer](Peer& peer, int) {
    if (peer.NextRequest()) peer.Send(answer);
    peer.AwaitClose();
  };
}

std::unique_ptr<HttpTransport> Transport(const ScriptedServer& server,
                                         milliseconds timeout = milliseconds(5000)) {
  auto made = MakeHttpTransport({.endpoint = server.endpoint(), .request_timeout = timeout});
  EXPECT_TRUE(made) << made.error().message;
  return std::move(*made);
}

HttpRequest Get() { return {.method = "GET", .target = "/list?page=1"}; }
HttpRequest Create() {
  return {.method = "POST",
          .target = "/create",
          .body = R"({"name":"x"})",
          .content_type = "application/json",
          .fresh_connection = true};
}

TEST(SocketTransportTest, KeepsTheConnectionAliveAndWritesHostAndBody) {
  std::mutex mu;
  std::vector<std::string> seen;
  ScriptedServer server([&](Peer& peer, int) {
    while (std::optional<std::string> head = peer.NextRequest()) {
      std::lock_guard lock(mu);
      seen.push_back(*head + peer.body());
      peer.Send(kAnswerOk);
    }
  });
  auto transport = Transport(server);
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> answer = transport->Send(Get());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, 200);
    EXPECT_EQ(answer->body, "{}");
  }
  HttpRequest post = Create();
  post.fresh_connection = false;
  ASSERT_TRUE(transport->Send(post));
  EXPECT_EQ(server.accepted(), 1);
  std::lock_guard lock(mu);
  ASSERT_EQ(seen.size(), 4u);
  EXPECT_EQ(seen[0], "GET /list?page=1 HTTP/1.1\r\nHost: " + server.where() + "\r\n\r\n");
  EXPECT_EQ(seen[3], "POST /create HTTP/1.1\r\nHost: " + server.where() +
                         "\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n"
                         R"({"name":"x"})");
}

TEST(SocketTransportTest, ThePoolKeepsNoConnectionBeyondItsBounds) {
  ScriptedServer server(AnswerAll(kAnswerOk));
  const std::string endpoint = server.endpoint();
  for (const HttpTransportOptions& options :
       {HttpTransportOptions{.endpoint = endpoint, .max_idle_connections = 0},
        HttpTransportOptions{.endpoint = endpoint, .max_idle_age = milliseconds(0)}}) {
    const int before = server.accepted();
    auto transport = MakeHttpTransport(options);
    ASSERT_TRUE(transport);
    ASSERT_TRUE((*transport)->Send(Get()));
    ASSERT_TRUE((*transport)->Send(Get()));
    EXPECT_EQ(server.accepted() - before, 2);
  }
}

TEST(SocketTransportTest, ConcurrentCallersShareThePool) {
  ScriptedServer server(AnswerAll(kAnswerOk));
  auto transport = Transport(server);
  constexpr int kCallers = 4;
  std::atomic<int> answered = 0;
  std::vector<std::thread> callers;
  for (int i = 0; i < kCallers; ++i) {
    callers.emplace_back([&] {
      for (int j = 0; j < 25; ++j) answered += transport->Send(Get()).has_value() ? 1 : 0;
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(answered, kCallers * 25);
  // A connection is opened only when every pooled one is in use by another caller.
  EXPECT_LE(server.accepted(), kCallers);
}

TEST(SocketTransportTest, ReadsAChunkedAnswerAndItsTrailersAfterAnInterimAnswer) {
  ScriptedServer server(
      AnswerAll("HTTP/1.1 100 Continue\r\n\r\n"
                "HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n"
                "4;note=x\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: 1\r\n\r\n"));
  auto transport = Transport(server);
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> answer = transport->Send(Get());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->status, 201);
    EXPECT_EQ(answer->body, "Wikipedia");
  }
  EXPECT_EQ(server.accepted(), 1);  // the whole answer was consumed: the connection is reused
}

// A body larger than any one read is received into the answer itself, up to
// its Content-Length and not beyond: the next answer on the connection is whole.
TEST(SocketTransportTest, ReadsABodyLargerThanOneReadAndNothingBeyondIt) {
  std::string body;
  for (int i = 0; body.size() < 300000; ++i) body += std::to_string(i) + ",";
  ScriptedServer server([&body](Peer& peer, int) {
    while (peer.NextRequest()) {
      peer.Send("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
                body);
    }
  });
  auto transport = Transport(server);
  for (int i = 0; i < 3; ++i) {
    Result<HttpResponse> answer = transport->Send(Get());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->body.size(), body.size());
    EXPECT_TRUE(answer->body == body);
  }
  EXPECT_EQ(server.accepted(), 1);
}

TEST(SocketTransportTest, ReadsAnAnswerDelimitedByClose) {
  ScriptedServer server([](Peer& peer, int) {
    if (peer.NextRequest()) peer.Send("HTTP/1.1 200 OK\r\n\r\nno length");
  });
  auto transport = Transport(server);
  for (int i = 0; i < 2; ++i) {
    Result<HttpResponse> answer = transport->Send(Get());
    ASSERT_TRUE(answer) << answer.error().message;
    EXPECT_EQ(answer->body, "no length");
  }
  EXPECT_EQ(server.accepted(), 2);
}

TEST(SocketTransportTest, HonoursConnectionClose) {
  // The server leaves the connection open after saying it closes it.
  ScriptedServer server(
      AnswerOnceAndHold("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n{}"));
  auto transport = Transport(server);
  ASSERT_TRUE(transport->Send(Get()));
  ASSERT_TRUE(transport->Send(Get()));
  EXPECT_EQ(server.accepted(), 2);
}

TEST(SocketTransportTest, AFreshConnectionRequestNeverTakesAPooledOne) {
  ScriptedServer server(AnswerAll(kAnswerOk));
  auto transport = Transport(server);
  ASSERT_TRUE(transport->Send(Get()));
  ASSERT_TRUE(transport->Send(Create()));
  EXPECT_EQ(server.accepted(), 2);
  ASSERT_TRUE(transport->Send(Get()));  // either idle connection serves
  EXPECT_EQ(server.accepted(), 2);
}

// Connection 0 answers the first request, then closes on the second unanswered.
void CloseOnTheSecondRequest(Peer& peer, int index) {
  if (index > 0) return AnswerAll(kAnswerOk)(peer, index);
  if (peer.NextRequest()) peer.Send(kAnswerOk);
  peer.NextRequest();
}

TEST(SocketTransportTest, AReadOnAPooledConnectionTheServerClosedIsSentOnceMore) {
  ScriptedServer server(CloseOnTheSecondRequest);
  auto transport = Transport(server);
  ASSERT_TRUE(transport->Send(Get()));
  Result<HttpResponse> answer = transport->Send(Get());
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "{}");
  EXPECT_EQ(server.accepted(), 2);
}

TEST(SocketTransportTest, NoResendOnANewConnectionNorForAFreshConnectionRequest) {
  // Every connection reads one request and closes without answering.
  ScriptedServer server([](Peer& peer, int) { peer.NextRequest(); });
  auto transport = Transport(server);
  for (const HttpRequest& request : {Create(), Get()}) {
    Result<HttpResponse> answer = transport->Send(request);
    ASSERT_FALSE(answer);
    EXPECT_EQ(answer.error().code, "transport_error");
    EXPECT_TRUE(answer.error().outcome_unknown);
    EXPECT_EQ(answer.error().message, "the connection to " + server.where() +
                                          " was closed before the answer arrived; the request "
                                          "may have been applied");
  }
  EXPECT_EQ(server.accepted(), 2);
}

TEST(SocketTransportTest, AFreshRequestIsNotResentWhenItsConnectionCloses) {
  // A pooled connection exists, but the fresh request opens connection 1, which
  // closes unanswered; connection 2 would answer.
  ScriptedServer server([](Peer& peer, int index) {
    if (index == 1) {
      peer.NextRequest();
      return;
    }
    AnswerAll(kAnswerOk)(peer, index);
  });
  auto transport = Transport(server);
  ASSERT_TRUE(transport->Send(Get()));
  Result<HttpResponse> answer = transport->Send(Create());
  ASSERT_FALSE(answer);
  EXPECT_TRUE(answer.error().outcome_unknown);
  EXPECT_EQ(server.accepted(), 2);
}

TEST(SocketTransportTest, AnUnansweredRequestTimesOut) {
  ScriptedServer server([](Peer& peer, int) {
    peer.NextRequest();
    peer.AwaitClose();  // the client gives up and closes
  });
  auto transport = Transport(server, milliseconds(200));
  Result<HttpResponse> answer = transport->Send(Get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, "timeout");
  EXPECT_TRUE(answer.error().retryable);
  EXPECT_TRUE(answer.error().outcome_unknown);
  EXPECT_EQ(answer.error().message, "no answer from " + server.where() +
                                        " within 200 ms; the request may have been applied");
}

TEST(SocketTransportTest, AnswerThatIsNotHttp) {
  ScriptedServer server(AnswerOnceAndHold("SSH-2.0-OpenSSH_9.2\r\n"));
  Result<HttpResponse> answer = Transport(server)->Send(Get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().message, "the answer from " + server.where() +
                                        " is not HTTP (invalid status line); the request may "
                                        "have been applied; check spec.endpoint");
}

TEST(SocketTransportTest, ADeclaredOversizedBodyIsAbandonedUnread) {
  ScriptedServer server(
      AnswerOnceAndHold("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\nxx"));
  Result<HttpResponse> answer = Transport(server)->Send(Get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().category, Error::Category::kProtocol);
  EXPECT_FALSE(answer.error().retryable);
  EXPECT_EQ(answer.error().http_status, 200);
  EXPECT_EQ(answer.error().message,
            "the answer from " + server.where() +
                " is larger than 16 MiB (Content-Length 999999999); it was abandoned unread. "
                "Check that spec.endpoint is the cloud's API");
}

TEST(SocketTransportTest, ABodyDelimitedByCloseIsCutAtTheLimit) {
  std::atomic<size_t> sent = 0;
  ScriptedServer server([&](Peer& peer, int) {
    if (!peer.NextRequest()) return;
    peer.Send("HTTP/1.1 200 OK\r\n\r\n");
    const std::string mib(size_t{1} << 20, 'x');
    while (sent < (size_t{64} << 20) && peer.Send(mib)) sent += mib.size();
  });
  auto transport = Transport(server);
  Result<HttpResponse> answer = transport->Send(Get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().category, Error::Category::kProtocol);
  EXPECT_EQ(answer.error().message,
            "the answer from " + server.where() +
                " is larger than 16 MiB (over 16777216 bytes); it was abandoned unread. Check "
                "that spec.endpoint is the cloud's API");
}

TEST(SocketTransportTest, ARefusedConnectionWasNeverSent) {
  std::string endpoint;
  {
    ScriptedServer closed(AnswerAll(kAnswerOk));
    endpoint = closed.endpoint();
  }
  auto transport = MakeHttpTransport({.endpoint = endpoint});
  ASSERT_TRUE(transport);
  Result<HttpResponse> answer = (*transport)->Send(Get());
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, "transport_error");
  EXPECT_FALSE(answer.error().outcome_unknown);
  EXPECT_TRUE(answer.error().message.starts_with("connection refused by 127.0.0.1:"))
      << answer.error().message;
}

TEST(SocketTransportTest, SpeaksIpv6Loopback) {
  std::string host;
  ScriptedServer server(
      [&](Peer& peer, int) {
        if (std::optional<std::string> head = peer.NextRequest()) {
          host = head->substr(head->find("Host: "));
          peer.Send(kAnswerOk);
        }
      },
      /*ipv6=*/true);
  if (!server.listening()) GTEST_SKIP() << "no IPv6 loopback on this machine";
  auto transport = Transport(server);
  Result<HttpResponse> answer = transport->Send(Get());
  ASSERT_TRUE(answer) << answer.error().message;
  EXPECT_EQ(answer->body, "{}");
  EXPECT_EQ(host, "Host: " + server.where() + "\r\n\r\n");
}

TEST(SocketTransportTest, ARequestThatCannotBeWrittenNamesTheHeaderNotItsValue) {
  ScriptedServer server(AnswerAll(kAnswerOk));
  auto transport = Transport(server);
  HttpRequest request = Get();
  request.headers = {{"Authorization", "secret-token\r\nX-Injected: 1"}};
  Result<HttpResponse> answer = transport->Send(request);
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().category, Error::Category::kInvalid);
  EXPECT_EQ(answer.error().message.find("secret"), std::string::npos);
  EXPECT_EQ(answer.error().message,
            "the request header \"Authorization\" is not a valid header name and value; this is "
            "a bug in the caller");
  EXPECT_EQ(server.accepted(), 0);
}

}  // namespace
}  // namespace converge::cloud::http

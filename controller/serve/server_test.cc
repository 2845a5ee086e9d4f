#include "serve/server.h"

#include <gtest/gtest.h>
#include <netinet/in.h>

#include <algorithm>
#include <atomic>
#include <mutex>

#include "base/net.h"
#include "gitsource/webhook.h"
#include "support/http.h"

namespace converge::serve {
namespace {

using Got = test_support::Response;

Got Get(const std::string& address, const std::string& path) {
  return test_support::Get("http://" + address, path);
}

Got Send(const std::string& address, const std::string& method, const std::string& path,
         const std::string& body) {
  return test_support::Send("http://" + address, {.method = method, .path = path, .body = body});
}

TEST(ServerTest, ServesEveryEndpointOnLoopback) {
  // Read on the server's threads while this one sets it.
  std::atomic<bool> ready = false;
  Server server("127.0.0.1:0", Endpoints{[] { return std::string("converge_up 1\n"); },
                                         [] {
                                           return nlohmann::json{{"revision", "abc"}};
                                         },
                                         [&]() -> Status {
                                           if (ready.load()) return {};
                                           return std::unexpected(
                                               Error::Unavailable("provider scnet not listed yet"));
                                         }});
  Status started = server.Start();
  ASSERT_TRUE(started) << started.error().message;
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
  Status malformed = bad.Start();
  ASSERT_FALSE(malformed);
  EXPECT_EQ(malformed.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(malformed.error().message,
            "listen address \"nonsense\" is not host:port (e.g. 127.0.0.1:9464)");

  Server first("127.0.0.1:0",
               Endpoints{[] { return std::string(); }, [] { return nlohmann::json(); },
                         []() -> Status { return {}; }});
  Status started = first.Start();
  ASSERT_TRUE(started) << started.error().message;
  Server second(first.address(), Endpoints{});
  Status taken = second.Start();
  ASSERT_FALSE(taken);
  EXPECT_EQ(taken.error().code, Error::Code::kUnavailable);
  EXPECT_TRUE(taken.error().retryable);
  EXPECT_TRUE(taken.error().message.starts_with("cannot listen on " + first.address() + ": "))
      << taken.error().message;
}

// A host that is no local IP address fails at once with what to fix, rather than
// trying to listen on port 0 of whatever the name resolves to.
TEST(ServerTest, HostThatIsNoLocalAddressIsAClearError) {
  Server server("metrics.example.invalid:0", Endpoints{});
  Status started = server.Start();
  ASSERT_FALSE(started);
  EXPECT_EQ(started.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(started.error().message,
            "cannot listen on metrics.example.invalid:0: \"metrics.example.invalid\" is not a "
            "local IP address such as 127.0.0.1 (is another process using the port? "
            "choose one with --metrics-addr)");
  EXPECT_EQ(server.address(), "metrics.example.invalid:0");
}

}  // namespace
}  // namespace converge::serve

namespace converge::serve {
namespace {

// A reconcile hook that knows ContainerInstance/a and b on scnet.
// Called on the server's threads; Calls() on the test's.
struct FakeReconcile {
  std::vector<std::vector<std::string>> Calls() const {
    std::lock_guard lock(mu);
    return calls;
  }
  reconcile::ResetResult operator()(const std::vector<std::string>& names) {
    {
      std::lock_guard lock(mu);
      calls.push_back(names);
    }
    reconcile::ResetResult r;
    for (const auto& n : names) {
      if (n != "ContainerInstance/a" && n != "ContainerInstance/b") r.unknown.push_back(n);
    }
    if (!r.unknown.empty()) return r;
    for (const char* n : {"a", "b"}) {
      if (names.empty() || std::find(names.begin(), names.end(),
                                     std::string("ContainerInstance/") + n) != names.end()) {
        r.reset.push_back({"ContainerInstance", "scnet", n});
      }
    }
    return r;
  }

  mutable std::mutex mu;
  std::vector<std::vector<std::string>> calls;
};

Endpoints WithReconcile(FakeReconcile& fake, bool allow_remote = false) {
  Endpoints e{[] { return std::string(); }, [] { return nlohmann::json(); },
              []() -> Status { return {}; }};
  e.reconcile = [&fake](const std::vector<std::string>& names) { return fake(names); };
  e.allow_remote_reconcile = allow_remote;
  return e;
}

TEST(ServerReconcileTest, PostResetsTheNamedResources) {
  FakeReconcile fake;
  Server server("127.0.0.1:0", WithReconcile(fake));
  Status started = server.Start();
  ASSERT_TRUE(started) << started.error().message;
  const std::string addr = server.address();
  const std::string post = "POST";

  Got one = Send(addr, post, "/reconcile", R"({"resources": ["ContainerInstance/b"]})");
  EXPECT_EQ(one.status, 200);
  EXPECT_EQ(nlohmann::json::parse(one.body),
            nlohmann::json::parse(
                R"({"reset": [{"kind": "ContainerInstance", "provider": "scnet", "name": "b"}]})"));
  EXPECT_EQ(one.content_type, "application/json");

  Got all = Send(addr, post, "/reconcile", "");
  EXPECT_EQ(all.status, 200);
  EXPECT_EQ(nlohmann::json::parse(all.body)["reset"].size(), 2u);
  EXPECT_EQ(Send(addr, post, "/reconcile", "{}").status, 200);

  Got unknown =
      Send(addr, post, "/reconcile", R"({"resources": ["ContainerInstance/a", "Notebook/x"]})");
  EXPECT_EQ(unknown.status, 404);
  const auto u = nlohmann::json::parse(unknown.body);
  EXPECT_EQ(u["unknown"], nlohmann::json::array({"Notebook/x"}));
  EXPECT_EQ(u["error"],
            "no resource named Notebook/x; nothing was reset (names are KIND/NAME or "
            "KIND/PROVIDER/NAME as `converge status` lists them)");

  Got bad = Send(addr, post, "/reconcile", R"({"resources": "ContainerInstance/a"})");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(nlohmann::json::parse(bad.body)["error"],
            "\"resources\" is not an array; send {\"resources\": [\"KIND/NAME\", ...]}, or {} "
            "for every resource");
  EXPECT_EQ(Send(addr, post, "/reconcile", "[1]").status, 400);

  // Exactly the well-formed requests reached the controller.
  const auto calls = fake.Calls();
  ASSERT_EQ(calls.size(), 4u);
  EXPECT_EQ(calls[0], std::vector<std::string>{"ContainerInstance/b"});
  EXPECT_TRUE(calls[1].empty());
  EXPECT_TRUE(calls[2].empty());

  Got get = Send(addr, "GET", "/reconcile", "");
  EXPECT_EQ(get.status, 405);
  EXPECT_EQ(get.body, "use POST /reconcile (see `converge reconcile --help`)\n");
  EXPECT_EQ(Send(addr, "PUT", "/reconcile", "{}").status, 405);
  EXPECT_EQ(Send(addr, post, "/status", "{}").status, 405);
  EXPECT_EQ(fake.Calls().size(), 4u);
}

// A body over 1 MiB is refused before it reaches the controller.
TEST(ServerReconcileTest, BodiesOverOneMebibyteAreRefused) {
  FakeReconcile fake;
  Server server("127.0.0.1:0", WithReconcile(fake));
  ASSERT_TRUE(server.Start());
  Got big = Send(server.address(), "POST", "/reconcile", std::string((1 << 20) + 1, ' '));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(big.Json(),
            nlohmann::json::parse(R"({"error": "request bodies over 1 MiB are refused"})"));
  EXPECT_TRUE(fake.Calls().empty());
  EXPECT_EQ(Send(server.address(), "POST", "/reconcile", "{}").status, 200);
}

// The peer rule of POST /reconcile, without a network: tests may only use
// loopback addresses, so a remote peer is named, not connected from.
TEST(ServerReconcileTest, RemotePeersAreRefusedUnlessAllowed) {
  const std::string why =
      "POST /reconcile is served to loopback clients only; run `converge reconcile` on the "
      "controller's host, or start `converge run` with --allow-remote-reconcile";
  for (const std::string remote : {"10.1.2.3", "192.168.0.7", "2001:db8::1", "::ffff:10.1.2.3"}) {
    EXPECT_EQ(ReconcileRefusal(remote, false), why) << remote;
    EXPECT_EQ(ReconcileRefusal(remote, true), std::nullopt) << remote;
  }
  for (const std::string local : {"127.0.0.1", "127.8.9.10", "::1", "::ffff:127.0.0.1"}) {
    EXPECT_EQ(ReconcileRefusal(local, false), std::nullopt) << local;
  }
}

}  // namespace
}  // namespace converge::serve

namespace converge::serve {
namespace {

TEST(ServerGitWebhookTest, ValidSignaturesTriggerAFetchAndBadOnesAreRefusedAndCounted) {
  std::mutex mu;
  int accepted = 0, refused = 0;
  Endpoints e{[] { return std::string(); }, [] { return nlohmann::json(); },
              []() -> Status { return {}; }};
  e.git_webhook = [&](bool ok) {
    std::lock_guard lock(mu);
    ++(ok ? accepted : refused);
  };
  e.git_webhook_secret = "webhook-secret-42";
  Server server("127.0.0.1:0", std::move(e));
  ASSERT_TRUE(server.Start());
  const std::string url = "http://" + server.address();
  const std::string body = R"({"ref":"refs/heads/main"})";
  const auto post = [&](std::vector<std::pair<std::string, std::string>> headers,
                        const std::string& b) {
    return test_support::Send(
        url, {.method = "POST", .path = "/webhook/git", .headers = std::move(headers), .body = b});
  };

  Got github =
      post({{"X-Hub-Signature-256", gitsource::GithubSignature("webhook-secret-42", body)}}, body);
  EXPECT_EQ(github.status, 202);
  EXPECT_EQ(github.Json(), nlohmann::json::parse(R"({"fetch": "triggered"})"));
  EXPECT_EQ(post({{"X-Gitlab-Token", "webhook-secret-42"}}, body).status, 202);

  Got bad = post({{"X-Hub-Signature-256", gitsource::GithubSignature("guess", body)}}, body);
  EXPECT_EQ(bad.status, 401);
  EXPECT_EQ(bad.Json()["error"],
            "the X-Hub-Signature-256 signature does not match the body and the webhook secret");
  EXPECT_EQ(bad.body.find("webhook-secret-42"), std::string::npos);
  EXPECT_EQ(post({{"X-Gitlab-Token", "nope"}}, body).status, 401);
  EXPECT_EQ(post({}, body).status, 401);

  Got big = post({{"X-Gitlab-Token", "webhook-secret-42"}},
                 std::string(gitsource::kMaxWebhookBody + 1, 'x'));
  EXPECT_EQ(big.status, 413);
  EXPECT_EQ(Send(server.address(), "GET", "/webhook/git", "").status, 405);
  std::lock_guard lock(mu);
  EXPECT_EQ(accepted, 2);
  EXPECT_EQ(refused, 3);
}

TEST(ServerGitWebhookTest, WithoutAGitSourceItIsNotFound) {
  Server server("127.0.0.1:0",
                Endpoints{[] { return std::string(); }, [] { return nlohmann::json(); },
                          []() -> Status { return {}; }});
  ASSERT_TRUE(server.Start());
  Got got = Send(server.address(), "POST", "/webhook/git", "{}");
  EXPECT_EQ(got.status, 404);
  EXPECT_EQ(got.Json()["error"],
            "no git source: start `converge run` with --git to serve webhooks");
}

}  // namespace
}  // namespace converge::serve

// Transport failures over real sockets on loopback, through the providers: each
// names its real cause, and only failures after the request was sent make a
// create's outcome unknown.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "cloud_sim_harness.h"

namespace converge::cloud::testing {
namespace {

using ::testing::EndsWith;
using ::testing::StartsWith;

// A loopback port with nothing listening: bound to learn a free one, then closed.
int ClosedPort() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  EXPECT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  socklen_t len = sizeof(addr);
  EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  ::close(fd);
  return ntohs(addr.sin_port);
}

class TransportErrorsTest : public CloudSimTest {
 protected:
  int64_t Attempts(const std::string& line) const {
    const std::vector<std::string> seen = observer_.requests();
    return std::count(seen.begin(), seen.end(), line);
  }
};

TEST_F(TransportErrorsTest, RefusedConnectionIsAPlainRetryableFailure) {
  const std::string where = "127.0.0.1:" + std::to_string(ClosedPort());
  ProviderConfig c = ScnetConfig();
  c.endpoint = "http://" + where;
  auto scnet = Make(c);
  const std::string message = "connection refused by " + where +
                              " (or the host is unreachable); check the host and port in "
                              "spec.endpoint and that the service is up";

  Result<std::string> id = scnet->CreateContainerInstance(InstanceCreate("refused"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().category, Error::Category::kTransport);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().ToString(),
            "CreateContainerInstance on scnet-sim: " + message + " (code transport_error)");
  EXPECT_EQ(Attempts("scnet-sim CreateContainerInstance transport_error"), 1);

  // A read is retried: the first attempt and max_retries (3) more.
  Result<std::vector<Observed>> list = scnet->List(ResourceKind::kNotebook);
  ASSERT_FALSE(list);
  EXPECT_EQ(list.error().message, message);
  EXPECT_EQ(Attempts("scnet-sim ListNotebooks transport_error"), 4);
}

TEST_F(TransportErrorsTest, UnresolvableHostIsAPlainRetryableFailure) {
  ProviderConfig c = TioneConfig();
  c.endpoint = "https://converge-test.invalid";
  auto tione = Make(c);
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("nowhere"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().category, Error::Category::kTransport);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  // "no such host" from a resolver that answers; a machine without DNS says why instead.
  EXPECT_THAT(id.error().message, StartsWith("could not resolve host \"converge-test.invalid\": "));
  EXPECT_THAT(id.error().message,
              EndsWith("; check the host name in spec.endpoint and the DNS configuration"));
  EXPECT_EQ(Attempts("tione-sim CreateNotebook transport_error"), 1);
}

TEST_F(TransportErrorsTest, HttpsToAPlainHttpPortIsATlsFailureNeverSent) {
  const std::string where = "127.0.0.1:" + std::to_string(sim_->Port());
  ProviderConfig c = TioneConfig();
  c.endpoint = "https://" + where;
  auto tione = Make(c);
  Result<std::string> id = tione->CreateTiOneNotebook(TiOneCreate("plain"));
  ASSERT_FALSE(id);
  EXPECT_EQ(id.error().code, "transport_error");
  EXPECT_TRUE(id.error().retryable);
  EXPECT_FALSE(id.error().outcome_unknown);
  EXPECT_EQ(id.error().message,
            "TLS handshake with " + where +
                " failed: wrong version number; check that spec.endpoint serves https on that "
                "port and that its certificate is valid for \"127.0.0.1\" and trusted (system "
                "store or spec.caFile)");
  EXPECT_EQ(Calls("tione", "CreateNotebook"), 0);
}

}  // namespace
}  // namespace converge::cloud::testing

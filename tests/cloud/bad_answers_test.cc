// Bad answers from a cloud, over real HTTP on loopback: a tiny server answers
// every request with one canned body, and the providers must turn each into a
// clear error naming the operation and the provider (or, for a status word
// they do not know, pass it through verbatim for the controller to wait on).
// The README's "Bad input" table cites these cases.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <gtest/gtest.h>

#include "cloud_sim_harness.h"
#include "support/loopback_socket.h"

namespace converge::cloud::testing {
namespace {

// Answers every request on 127.0.0.1 with `status` and `body` (Connection: close).
class CannedServer {
 public:
  CannedServer(int status, std::string body) : status_(status), body_(std::move(body)) {
    fd_ = test_support::ListenOnLoopback(8, &port_);
    thread_ = std::thread([this] {
      while (true) {
        const int client = ::accept(fd_, nullptr, nullptr);
        if (client < 0) return;
        timeval timeout{5, 0};
        ::setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        ::setsockopt(client, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
        std::string request;
        char buffer[4096];
        size_t end;
        while ((end = request.find("\r\n\r\n")) == std::string::npos) {
          const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
          if (n <= 0) break;
          request.append(buffer, static_cast<size_t>(n));
        }
        // The request's body (TI-ONE posts one) is read before answering.
        const size_t cl = request.find("Content-Length: ");
        if (end != std::string::npos && cl != std::string::npos && cl < end) {
          const size_t want = end + 4 + std::stoul(request.substr(cl + 16));
          while (request.size() < want) {
            const ssize_t n = ::recv(client, buffer, sizeof(buffer), 0);
            if (n <= 0) break;
            request.append(buffer, static_cast<size_t>(n));
          }
        }
        ++requests_;
        const std::string answer = "HTTP/1.1 " + std::to_string(status_) +
                                   " Canned\r\nContent-Type: application/json\r\nContent-Length: " +
                                   std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" +
                                   body_;
        ::send(client, answer.data(), answer.size(), MSG_NOSIGNAL);
        ::close(client);
      }
    });
  }
  ~CannedServer() {
    ::shutdown(fd_, SHUT_RDWR);
    thread_.join();
    ::close(fd_);
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  int requests() const { return requests_; }

 private:
  int status_;
  std::string body_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<int> requests_ = 0;
  std::thread thread_;
};

struct BadAnswer {
  std::string name;
  bool tione;  // else SCNet
  int status;
  std::string body;
  Error::Category category;
  std::string message;  // the whole ToString()
  int requests;         // how often the provider asked (retries of retryable failures)
};

void PrintTo(const BadAnswer& c, std::ostream* os) { *os << c.name; }

class BadAnswersTest : public CloudSimTest, public ::testing::WithParamInterface<BadAnswer> {};

TEST_P(BadAnswersTest, ListFailsWithAClearErrorAndTheRetriesItDeserves) {
  const BadAnswer& c = GetParam();
  CannedServer server(c.status, c.body);
  ProviderConfig config = c.tione ? TioneConfig() : ScnetConfig();
  config.endpoint = server.url();
  auto provider = Make(config);
  const ResourceKind kind =
      c.tione ? ResourceKind::kTiOneNotebook : ResourceKind::kContainerInstance;
  Result<std::vector<Observed>> listed = provider->List(kind);
  ASSERT_FALSE(listed) << listed->size() << " resources listed";
  std::string message = listed.error().ToString();
  EXPECT_EQ(listed.error().category, c.category) << message;
  EXPECT_EQ(message, c.message);
  EXPECT_EQ(server.requests(), c.requests);
}

const std::string kScnetList = "ListContainerInstances on scnet-sim: ";
const std::string kTioneList = "DescribeNotebooks on tione-sim: ";

const std::string kScnetEnvelope =
    kScnetList + "SCNet answered HTTP 200 without a JSON {code, msg, data} envelope (HTTP 200)";

INSTANTIATE_TEST_SUITE_P(
    Cases, BadAnswersTest,
    ::testing::Values(
        BadAnswer{"ScnetMalformedJson", false, 200, R"({"code":"0","data":{"records":[{)",
                  Error::Category::kProtocol, kScnetEnvelope, 1},
        BadAnswer{"ScnetNoEnvelope", false, 200, R"({"records":[]})", Error::Category::kProtocol,
                  kScnetEnvelope, 1},
        BadAnswer{"ScnetJsonArray", false, 200, R"([1,2])", Error::Category::kProtocol,
                  kScnetEnvelope, 1},
        BadAnswer{
            "ScnetWrongTypeInAnItem", false, 200,
            R"({"code":"0","data":{"total":1,"records":[{"id":7,"instanceServiceName":["x"],"status":"Running"}]}})",
            Error::Category::kProtocol,
            kScnetList + "SCNet container-instance list holds an item without an id or a "
                         "name; the answer cannot be trusted, so nothing is assumed absent",
            1},
        BadAnswer{
            "ScnetItemsNotAList", false, 200, R"({"code":"0","data":{"total":1,"records":"none"}})",
            Error::Category::kProtocol,
            kScnetList + "SCNet container-instance list data has neither records[] nor list[]", 1},
        BadAnswer{"ScnetProxyHtml502", false, 502, "<html>502 Bad Gateway</html>",
                  Error::Category::kServer,
                  kScnetList + "SCNet answered HTTP 502 (server error); try again later (HTTP 502)",
                  4},
        BadAnswer{"TioneNoResponseEnvelope", true, 200, R"({"NotebookSet":[]})",
                  Error::Category::kProtocol,
                  kTioneList +
                      "TI-ONE answered HTTP 200 without a JSON {\"Response\": ...} envelope (HTTP "
                      "200)",
                  1},
        BadAnswer{
            "TioneWrongTypeInAnItem", true, 200,
            R"({"Response":{"TotalCount":1,"NotebookSet":[{"Id":5,"Name":{"a":1},"Status":"Running"}],"RequestId":"r-1"}})",
            Error::Category::kProtocol,
            kTioneList + "TI-ONE DescribeNotebooks lists a notebook without Id or Name; the answer "
                         "cannot be trusted, so nothing is assumed absent (RequestId r-1)",
            1}),
    [](const auto& info) { return info.param.name; });

// A status word no table knows is passed through verbatim: the controller shows
// it and waits (diff_test: "an unknown status is waited on, never acted on").
TEST_F(CloudSimTest, AnUnknownStatusWordIsPassedThroughVerbatim) {
  CannedServer server(
      200,
      R"({"code":"0","msg":"success","data":{"total":1,"records":[{"id":"a1","instanceServiceName":"job-x","status":"Hibernating"}]}})");
  ProviderConfig config = ScnetConfig();
  config.endpoint = server.url();
  auto provider = Make(config);
  Result<std::vector<Observed>> listed = provider->List(ResourceKind::kContainerInstance);
  ASSERT_TRUE(listed) << listed.error().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ((*listed)[0].name, "job-x");
  EXPECT_EQ((*listed)[0].status, "Hibernating");
}

}  // namespace
}  // namespace converge::cloud::testing

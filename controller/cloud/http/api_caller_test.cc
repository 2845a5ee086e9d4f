#include "cloud/http/api_caller.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <mutex>
#include <tuple>

#include "base/log.h"
#include "cloud/http/scripted_transport.h"
#include "cloud/scnet/scnet_api.h"

namespace converge::cloud::http {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

class RecordingObserver : public RequestObserver {
 public:
  void OnRequest(const std::string& provider, const std::string& operation, const std::string& code,
                 double seconds) override {
    std::lock_guard lock(mu_);
    requests.push_back(provider + "/" + operation + "/" + code);
  }
  void OnThrottled(const std::string& provider, double seconds) override {
    std::lock_guard lock(mu_);
    throttled.push_back(seconds);
  }
  std::mutex mu_;
  std::vector<std::string> requests;
  std::vector<double> throttled;
};

const char kOk[] = R"({"code":"0","msg":"success","data":{"n":1}})";
const char kInternal[] = R"({"code":"10001","msg":"内部错误","data":null})";
const char kInvalid[] = R"({"code":"10004","msg":"参数无效","data":null})";

class ApiCallerTest : public ::testing::Test {
 protected:
  // PinnedRandom(0): every backoff waits exactly half its ceiling.
  ApiCallerTest() : random_(0) {
    auto transport = std::make_unique<ScriptedTransport>();
    transport_ = transport.get();
    caller_ = std::make_unique<ApiCaller>("scnet-test", std::move(transport), /*qps=*/0,
                                          /*burst=*/1,
                                          RetryPolicy{3, milliseconds(200), milliseconds(500)},
                                          clock_, random_, &observer_);
  }

  Result<nlohmann::json> Call(CallKind kind, const char* operation = "ListNotebooks") {
    return caller_->Call(
        operation, kind,
        [] {
          HttpRequest r;
          r.target = "/ai/openapi/v2/notebook/list?page=1";
          r.headers = {{"token", "header-token-value-never-logged"}};
          return r;
        },
        scnet::InterpretResponse);
  }

  SimulatedClock clock_;
  PinnedRandom random_;
  RecordingObserver observer_;
  ScriptedTransport* transport_;
  std::unique_ptr<ApiCaller> caller_;
};

TEST_F(ApiCallerTest, SuccessOnFirstAttempt) {
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kRead);
  ASSERT_TRUE(r);
  EXPECT_EQ((*r)["n"], 1);
  EXPECT_THAT(observer_.requests, ElementsAre("scnet-test/ListNotebooks/0"));
  EXPECT_EQ(clock_.Slept(), Duration::zero());
  EXPECT_FALSE(transport_->requests()[0].fresh_connection);
}

TEST_F(ApiCallerTest, ReadRetriesRetryableCodesWithJitteredExponentialBackoff) {
  transport_->Answer(200, kInternal);
  transport_->Fail("timeout", true);
  transport_->Answer(503, "upstream down");
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kRead);
  ASSERT_TRUE(r) << r.error().ToString();
  EXPECT_THAT(observer_.requests,
              ElementsAre("scnet-test/ListNotebooks/10001", "scnet-test/ListNotebooks/timeout",
                          "scnet-test/ListNotebooks/http_503", "scnet-test/ListNotebooks/0"));
  // Ceilings 200, 400, 500 (capped); pinned jitter takes half of each.
  EXPECT_EQ(clock_.Slept(), milliseconds(100 + 200 + 250));
}

TEST_F(ApiCallerTest, GivesUpAfterMaxRetriesWithTheLastError) {
  for (int i = 0; i < 4; ++i) transport_->Answer(200, kInternal);
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kRead);
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 4u);
  EXPECT_EQ(transport_->remaining(), 1u);
  EXPECT_EQ(r.error().category, Error::Category::kServer);
  EXPECT_TRUE(r.error().retryable);
  EXPECT_EQ(r.error().code, "10001");
  EXPECT_EQ(r.error().operation, "ListNotebooks");
  EXPECT_EQ(r.error().provider, "scnet-test");
  EXPECT_EQ(r.error().ToString(), "ListNotebooks on scnet-test: 内部错误 (code 10001, HTTP 200)");
}

TEST_F(ApiCallerTest, NonRetryableErrorIsReturnedAtOnce) {
  transport_->Answer(200, kInvalid);
  Result<nlohmann::json> r = Call(CallKind::kRead);
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_EQ(r.error().category, Error::Category::kInvalid);
  EXPECT_FALSE(r.error().retryable);
  EXPECT_EQ(r.error().message, "参数无效");
}

TEST_F(ApiCallerTest, CreateIsNeverRetried) {
  transport_->Answer(200, kInternal);
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kCreate, "CreateContainerInstance");
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 1u);
  // A request on a pooled connection may be resent by the transport itself.
  EXPECT_TRUE(transport_->requests()[0].fresh_connection);
  EXPECT_FALSE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().code, "10001");
}

TEST_F(ApiCallerTest, CreateWithLostAnswerHasUnknownOutcome) {
  transport_->Fail("timeout", true);
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kCreate, "CreateContainerInstance");
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().category, Error::Category::kTransport);
  EXPECT_EQ(r.error().code, "timeout");
  EXPECT_EQ(r.error().operation, "CreateContainerInstance");
}

TEST_F(ApiCallerTest, MutateRetriesDefiniteRefusalButNotUnknownOutcome) {
  transport_->Answer(200, kInternal);
  transport_->Fail("transport_error", /*maybe_sent=*/false);
  transport_->Fail("transport_error", /*maybe_sent=*/true);
  transport_->Answer(200, kOk);
  Result<nlohmann::json> r = Call(CallKind::kMutate, "RestartContainerInstance");
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 3u);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().code, "transport_error");
}

TEST_F(ApiCallerTest, BareServerErrorOnMutateHasUnknownOutcome) {
  transport_->Answer(502, "<html>bad gateway</html>");
  Result<nlohmann::json> r = Call(CallKind::kMutate, "StartNotebook");
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 1u);
  EXPECT_TRUE(r.error().outcome_unknown);
  EXPECT_EQ(r.error().http_status, 502);
  EXPECT_EQ(r.error().category, Error::Category::kServer);
}

TEST_F(ApiCallerTest, ReadNeverReportsUnknownOutcome) {
  for (int i = 0; i < 4; ++i) transport_->Fail("timeout", true);
  Result<nlohmann::json> r = Call(CallKind::kRead);
  ASSERT_FALSE(r);
  EXPECT_EQ(transport_->requests().size(), 4u);
  EXPECT_FALSE(r.error().outcome_unknown);
}

TEST_F(ApiCallerTest, DebugLogNamesTheCallButNeverHeaders) {
  log::CaptureForTesting capture(log::Level::kDebug);
  transport_->Answer(200, kInternal);
  transport_->Answer(200, kOk);
  ASSERT_TRUE(Call(CallKind::kRead));
  const std::string text = capture.Text();
  EXPECT_THAT(text, HasSubstr("operation=ListNotebooks"));
  EXPECT_THAT(text, HasSubstr(R"(path="/ai/openapi/v2/notebook/list?page=1")"));
  EXPECT_THAT(text, HasSubstr("code=10001"));
  EXPECT_THAT(text, HasSubstr("delay_ms=100"));
  EXPECT_THAT(text, Not(HasSubstr("header-token-value-never-logged")));
}

TEST(ApiCallerThrottleTest, WaitsForTokensAndReportsThem) {
  SimulatedClock clock;
  PinnedRandom random(0);
  RecordingObserver observer;
  auto transport = std::make_unique<ScriptedTransport>();
  for (int i = 0; i < 4; ++i) transport->Answer(200, kOk);
  ApiCaller caller("p", std::move(transport), /*qps=*/4, /*burst=*/2, RetryPolicy{}, clock, random,
                   &observer);
  clock.Advance(std::chrono::seconds(10));  // the bucket starts empty; now it holds the burst
  const Duration before = clock.Slept();
  for (int i = 0; i < 4; ++i) {
    ASSERT_TRUE(caller.Call(
        "ListNotebooks", CallKind::kRead, [] { return HttpRequest{}; }, scnet::InterpretResponse));
  }
  EXPECT_EQ(clock.Slept() - before, milliseconds(500));
  EXPECT_THAT(observer.throttled, ElementsAre(0.25, 0.25));
}

TEST(MetricCodeTest, BoundedLabels) {
  EXPECT_EQ(MetricCode("AuthFailure.SignatureFailure"), "AuthFailure.SignatureFailure");
  EXPECT_EQ(MetricCode("716020"), "716020");
  EXPECT_EQ(MetricCode("not a code"), "invalid_code");
  EXPECT_EQ(MetricCode(std::string(65, 'a')), "invalid_code");
  EXPECT_EQ(MetricCode(""), "invalid_code");
}

}  // namespace
}  // namespace converge::cloud::http

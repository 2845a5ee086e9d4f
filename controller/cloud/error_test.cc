#include "cloud/error.h"

#include <gtest/gtest.h>

#include "base/redact.h"
#include "cloud/provider.h"

namespace converge::cloud {
namespace {

TEST(ErrorTest, ToStringNamesOperationMessageAndDetails) {
  Error e;
  e.operation = "ListContainerInstances";
  e.message = "参数无效";
  e.code = "10004";
  e.http_status = 200;
  EXPECT_EQ(e.ToString(), "ListContainerInstances: 参数无效 (code 10004, HTTP 200)");
}

TEST(ErrorTest, ToStringAddsProviderAndRequestId) {
  Error e;
  e.provider = "tione-sh";
  e.operation = "CreateNotebook";
  e.message = "balance insufficient";
  e.code = "OperationDenied.BalanceInsufficient";
  e.http_status = 200;
  e.request_id = "ecc8d2f6";
  EXPECT_EQ(e.ToString(),
            "CreateNotebook on tione-sh: balance insufficient (code "
            "OperationDenied.BalanceInsufficient, HTTP 200, RequestId ecc8d2f6)");
}

TEST(ErrorTest, ToStringLeavesOutEmptyParts) {
  Error e;
  e.operation = "StartNotebook";
  e.message = "no answer";
  EXPECT_EQ(e.ToString(), "StartNotebook: no answer");
}

TEST(ErrorTest, ToStringIsRedacted) {
  RegisterSecret("sentinel-secret-error-test");
  Error e;
  e.operation = "ListNotebooks";
  e.message = "echo sentinel-secret-error-test";
  EXPECT_EQ(e.ToString(), "ListNotebooks: echo [REDACTED]");
}

TEST(ErrorTest, Names) {
  EXPECT_EQ(CategoryName(Error::Category::kRateLimited), "rate_limited");
  EXPECT_EQ(CategoryName(Error::Category::kNotFound), "not_found");
  EXPECT_EQ(CategoryName(Error::Category::kTransport), "transport");
  EXPECT_EQ(ResourceKindName(ResourceKind::kContainerInstance), "ContainerInstance");
  EXPECT_EQ(ResourceKindName(ResourceKind::kNotebook), "Notebook");
  EXPECT_EQ(ResourceKindName(ResourceKind::kTiOneNotebook), "TiOneNotebook");
}

}  // namespace
}  // namespace converge::cloud

#include "cli/controller_client.h"

#include <gtest/gtest.h>

#include <string>

#include "base/net.h"

namespace converge::cli {
namespace {

// Nothing listens on the port: the error is retryable and says what to check.
TEST(CallControllerTest, AnUnreachableControllerIsUnavailable) {
  const int port = net::FreePort("127.0.0.1");
  ASSERT_GT(port, 0);
  const std::string addr = "127.0.0.1:" + std::to_string(port);
  auto answer = CallController("converge status", addr, "GET", "/status");
  ASSERT_FALSE(answer);
  EXPECT_EQ(answer.error().code, Error::Code::kUnavailable);
  EXPECT_TRUE(answer.error().retryable);
  EXPECT_EQ(answer.error().message,
            "converge status: cannot reach a controller at " + addr +
                ": connection refused (is `converge run` running? pass its --metrics-addr as "
                "--addr)");
}

}  // namespace
}  // namespace converge::cli

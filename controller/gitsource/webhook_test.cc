#include "gitsource/webhook.h"

#include <gtest/gtest.h>

namespace converge::gitsource {
namespace {

TEST(Webhook, GithubSignatureIsTheDocumentedHmac) {
  // GitHub's documented example: secret "It's a Secret to Everybody", body "Hello, World!".
  EXPECT_EQ(GithubSignature("It's a Secret to Everybody", "Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17");
}

TEST(Webhook, AcceptsValidAndRefusesInvalid) {
  const std::string body = R"({"ref":"refs/heads/main"})";
  EXPECT_EQ(WebhookRefusal("s3cret", GithubSignature("s3cret", body), "", body), std::nullopt);
  EXPECT_EQ(WebhookRefusal("s3cret", "", "s3cret", body), std::nullopt);
  EXPECT_EQ(WebhookRefusal("s3cret", GithubSignature("other", body), "", body),
            "the X-Hub-Signature-256 signature does not match the body and the webhook secret");
  EXPECT_EQ(WebhookRefusal("s3cret", GithubSignature("s3cret", body + " "), "", body),
            "the X-Hub-Signature-256 signature does not match the body and the webhook secret");
  EXPECT_EQ(WebhookRefusal("s3cret", "", "s3cre", body),
            "the X-Gitlab-Token does not match the webhook secret");
  EXPECT_EQ(WebhookRefusal("s3cret", "", "", body),
            "the request carries neither X-Hub-Signature-256 nor X-Gitlab-Token");
  EXPECT_EQ(WebhookRefusal("", "", "x", body),
            "no webhook secret is configured (--git-webhook-secret-file)");
}

}  // namespace
}  // namespace converge::gitsource

#include "base/redact.h"

#include <gtest/gtest.h>

namespace converge {
namespace {

class RedactTest : public ::testing::Test {
 protected:
  void TearDown() override { ClearSecretsForTesting(); }
};

TEST_F(RedactTest, MasksRegisteredSecretsAnywhere) {
  RegisterSecret("s3cr3t-token-value");
  EXPECT_EQ(Redact("calling with s3cr3t-token-value now"), "calling with [REDACTED] now");
}

TEST_F(RedactTest, IgnoresTooShortSecrets) {
  RegisterSecret("ab");
  EXPECT_EQ(Redact("abc"), "abc");
}

TEST_F(RedactTest, MasksHeaderValues) {
  EXPECT_EQ(Redact("GET /x\ntoken: eyJhbGci\nAuthorization: TC3-HMAC-SHA256 Credential=AKID/x"),
            "GET /x\ntoken: [REDACTED]\nAuthorization: [REDACTED]");
}

TEST_F(RedactTest, MasksJsonSecretFields) {
  EXPECT_EQ(Redact(R"({"sshPassword": "9pM28jD7606121T","id":"1"})"),
            R"({"sshPassword": "[REDACTED]","id":"1"})");
  EXPECT_EQ(Redact(R"({"token":"abc\"def"})"), R"({"token":"[REDACTED]"})");
}

TEST_F(RedactTest, MasksSignatures) {
  EXPECT_EQ(Redact("SignedHeaders=content-type;host, Signature=72e494ea809ad7a8"),
            "SignedHeaders=content-type;host, Signature=[REDACTED]");
}

TEST_F(RedactTest, LongestSecretMaskedWhole) {
  RegisterSecret("abcd");
  RegisterSecret("abcdefgh");
  EXPECT_EQ(Redact("x abcdefgh y"), "x [REDACTED] y");
}

}  // namespace
}  // namespace converge

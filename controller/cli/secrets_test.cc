#include "cli/secrets.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <fstream>
#include <string>

#include "support/temp_dir.h"

namespace converge::cli {
namespace {

manifest::SecretRef Env(const std::string& name) {
  return {manifest::SecretRef::Source::kEnv, name};
}
manifest::SecretRef File(const std::string& path) {
  return {manifest::SecretRef::Source::kFile, path};
}

// Each failure carries the code that fits it; the message names the field and
// the variable or file, never a value.
TEST(ResolveSecretTest, EnvironmentVariables) {
  ::unsetenv("CONVERGE_SECRETS_TEST_UNSET");
  auto unset = ResolveSecret(Env("CONVERGE_SECRETS_TEST_UNSET"), "token");
  ASSERT_FALSE(unset);
  EXPECT_EQ(unset.error().code, Error::Code::kNotFound);
  EXPECT_FALSE(unset.error().retryable);
  EXPECT_EQ(unset.error().message,
            "spec.token: environment variable CONVERGE_SECRETS_TEST_UNSET is not set; set it or "
            "use fromFile");

  ::setenv("CONVERGE_SECRETS_TEST_EMPTY", "", 1);
  auto empty = ResolveSecret(Env("CONVERGE_SECRETS_TEST_EMPTY"), "secretId");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message,
            "spec.secretId: environment variable CONVERGE_SECRETS_TEST_EMPTY is empty; set it or "
            "use fromFile");

  ::setenv("CONVERGE_SECRETS_TEST_SET", "s3cr3t-value", 1);
  auto set = ResolveSecret(Env("CONVERGE_SECRETS_TEST_SET"), "token");
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->Current(), "s3cr3t-value");
}

TEST(ResolveSecretTest, Files) {
  const converge::test_support::TempDir dir;
  ASSERT_FALSE(dir.path().empty());
  const std::string missing = dir.path() + "/missing";
  auto unreadable = ResolveSecret(File(missing), "secretKey");
  ASSERT_FALSE(unreadable);
  EXPECT_EQ(unreadable.error().code, Error::Code::kIOError);
  EXPECT_EQ(unreadable.error().message, "spec.secretKey: cannot read secret file " + missing +
                                            "; check the path and its permissions");

  const std::string blank = dir.path() + "/blank";
  std::ofstream(blank) << "\n\n";
  auto empty = ResolveSecret(File(blank), "token");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message,
            "spec.token: secret file " + blank + " is empty; write the secret to it");

  const std::string good = dir.path() + "/token";
  std::ofstream(good) << "file-s3cr3t\r\n";
  auto value = ResolveSecret(File(good), "token");
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(value->Current(), "file-s3cr3t");
}

// A file secret is read again when the file changes: no restart, no SIGHUP.
TEST(ResolveSecretTest, AFileSecretFollowsTheFile) {
  const converge::test_support::TempDir dir;
  auto value = ResolveSecret(File(dir.Write("key", "first-s3cr3t\n")), "sessionToken");
  ASSERT_TRUE(value) << value.error().message;
  EXPECT_EQ(value->Current(), "first-s3cr3t");
  dir.Write("key", "second-s3cr3t-rotated\n");
  EXPECT_EQ(value->Current(), "second-s3cr3t-rotated");
}

}  // namespace
}  // namespace converge::cli

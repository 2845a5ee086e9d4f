#include "base/secret.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "base/log.h"
#include "base/redact.h"
#include "support/temp_dir.h"

namespace converge {
namespace {

namespace fs = std::filesystem;

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

TEST(SecretTest, FixedValue) {
  const Secret s("fixed-value-1");
  EXPECT_EQ(s.Current(), "fixed-value-1");
  EXPECT_EQ(s.Problem(), "");
  EXPECT_FALSE(s.empty());
  EXPECT_TRUE(Secret().empty());
  EXPECT_EQ(Secret().Current(), "");
}

TEST(SecretTest, FromFileErrorsNameTheFileNeverAValue) {
  test_support::TempDir dir("secret-test");
  auto missing = Secret::FromFile(dir.Path("absent"), "spec.token");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, Error::Code::kIOError);
  EXPECT_EQ(missing.error().message, "spec.token: cannot read secret file " + dir.Path("absent") +
                                         "; check the path and its permissions");
  auto empty = Secret::FromFile(dir.Write("empty", "\n"), "spec.token");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, Error::Code::kInvalidArgument);
  EXPECT_EQ(empty.error().message,
            "spec.token: secret file " + dir.Path("empty") + " is empty; write the secret to it");
}

// A file replaced atomically (rename, as the operator or systemd does) is read
// again at the next use; the new value is registered for redaction and the
// change logged without it.
TEST(SecretTest, AReplacedFileIsReadAtTheNextUse) {
  test_support::TempDir dir("secret-test");
  log::CaptureForTesting capture(log::Level::kInfo);
  auto s = Secret::FromFile(dir.Write("key", "rotate-old-value-1\n"), "spec.secretKey");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->Current(), "rotate-old-value-1");
  EXPECT_EQ(s->Current(), "rotate-old-value-1");
  dir.Write("key", "rotate-new-value-22\n");
  EXPECT_EQ(s->Current(), "rotate-new-value-22");
  EXPECT_EQ(Redact("x rotate-new-value-22 y"), "x [REDACTED] y");
  const Secret copy = *s;  // copies share the file
  EXPECT_EQ(copy.Current(), "rotate-new-value-22");
  EXPECT_EQ(Count(capture.Text(), "secret file changed; using its new value secret=spec.secretKey"),
            1u)
      << capture.Text();
  EXPECT_EQ(Count(capture.Text(), "rotate-"), 0u) << capture.Text();
}

// The Kubernetes Secret volume layout: key -> ..data/key, ..data -> ..<timestamp>;
// an update writes a new timestamped directory and swaps the ..data symlink.
TEST(SecretTest, AKubernetesSecretVolumeUpdateIsSeen) {
  test_support::TempDir dir("secret-test");
  dir.Write("..2026_11_23_21_00_00.1/token", "volume-token-old-1");
  fs::create_directory_symlink("..2026_11_23_21_00_00.1", dir.Path("..data"));
  fs::create_symlink("..data/token", dir.Path("token"));
  auto s = Secret::FromFile(dir.Path("token"), "spec.token");
  ASSERT_TRUE(s) << s.error().message;
  EXPECT_EQ(s->Current(), "volume-token-old-1");

  dir.Write("..2026_11_23_22_00_00.2/token", "volume-token-new-2");
  fs::create_directory_symlink("..2026_11_23_22_00_00.2", dir.Path("..data_tmp"));
  fs::rename(dir.Path("..data_tmp"), dir.Path("..data"));
  fs::remove_all(dir.Path("..2026_11_23_21_00_00.1"));
  EXPECT_EQ(s->Current(), "volume-token-new-2");
  EXPECT_EQ(s->Problem(), "");
}

// A file that disappears or is emptied keeps the last good value: one warning
// per episode, Problem() says why, and a readable file is used again.
TEST(SecretTest, AnUnreadableFileKeepsTheLastValueAndWarnsOnce) {
  test_support::TempDir dir("secret-test");
  log::CaptureForTesting capture(log::Level::kInfo);
  const std::string path = dir.Write("key", "kept-value-123");
  auto s = Secret::FromFile(path, "spec.secretKey");
  ASSERT_TRUE(s) << s.error().message;
  fs::remove(path);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(s->Current(), "kept-value-123");
  EXPECT_EQ(s->Problem(), "spec.secretKey: cannot read secret file " + path +
                              "; the value read before is still used; check the path and its "
                              "permissions");
  EXPECT_EQ(Count(capture.Text(), "secret file cannot be used; keeping the value read before"), 1u)
      << capture.Text();

  dir.Write("key", "\n");
  EXPECT_EQ(s->Current(), "kept-value-123");
  EXPECT_EQ(s->Problem(), "spec.secretKey: secret file " + path +
                              " is empty; the value read before is still used; write the secret "
                              "to it");
  EXPECT_EQ(Count(capture.Text(), "secret file cannot be used"), 1u) << capture.Text();

  dir.Write("key", "kept-value-123\n");
  EXPECT_EQ(s->Current(), "kept-value-123");
  EXPECT_EQ(s->Problem(), "");
  EXPECT_EQ(Count(capture.Text(), "secret file readable again; its value is unchanged"), 1u);

  fs::remove(path);
  EXPECT_EQ(s->Current(), "kept-value-123");
  EXPECT_EQ(Count(capture.Text(), "secret file cannot be used"), 2u) << capture.Text();
  EXPECT_EQ(Count(capture.Text(), "kept-value"), 0u) << capture.Text();
}

TEST(SecretTest, IdentityIsTheSourceNotTheValue) {
  test_support::TempDir dir("secret-test");
  auto s = Secret::FromFile(dir.Write("key", "identity-value-1"), "spec.token");
  ASSERT_TRUE(s);
  EXPECT_EQ(s->Identity(), "file:" + dir.Path("key"));
  EXPECT_EQ(Secret("abc-value").Identity(), "abc-value");
}

}  // namespace
}  // namespace converge

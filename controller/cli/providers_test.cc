#include "cli/providers.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "support/temp_dir.h"

namespace converge::cli {
namespace {

manifest::Provider Scnet(const std::string& name, const std::string& token_env) {
  manifest::Provider p;
  p.metadata.name = name;
  p.type = manifest::ProviderType::kScnet;
  p.endpoint = "https://scnet.example.invalid";
  p.token = manifest::SecretRef{manifest::SecretRef::Source::kEnv, token_env};
  return p;
}

// A provider whose secret cannot be read is still built (its calls fail with
// what is wrong); the problem keeps the code of the failure underneath and
// names the provider.
TEST(ProviderFactoryTest, AnUnreadableSecretIsAProblemWithItsCode) {
  ::unsetenv("CONVERGE_PROVIDERS_TEST_UNSET");
  ::setenv("CONVERGE_PROVIDERS_TEST_SET", "providers-test-token", 1);
  manifest::ManifestSet manifests;
  manifests.providers = {Scnet("broken", "CONVERGE_PROVIDERS_TEST_UNSET"),
                         Scnet("fine", "CONVERGE_PROVIDERS_TEST_SET")};
  ProviderFactory factory(WiringOptions{});
  Wiring wiring = factory.Build(manifests);
  EXPECT_EQ(wiring.providers.size(), 2u);
  EXPECT_TRUE(wiring.providers.count("broken"));
  EXPECT_TRUE(wiring.providers.count("fine"));
  ASSERT_EQ(wiring.problems.size(), 1u);
  EXPECT_EQ(wiring.problems[0].code, Error::Code::kNotFound);
  EXPECT_EQ(wiring.problems[0].message,
            "provider broken: spec.token: environment variable CONVERGE_PROVIDERS_TEST_UNSET is "
            "not set; set it or use fromFile");

  // Unchanged configuration: the same client carries over a rebuild.
  Wiring again = factory.Build(manifests);
  EXPECT_EQ(again.providers["fine"].client, wiring.providers["fine"].client);
  EXPECT_EQ(again.problems.size(), 1u);
}

// A file secret that becomes unreadable before a reload (SIGHUP, a manifest
// change) keeps the provider and its last good value: the problem is the
// provider's secret problem, not a new unusable provider.
TEST(ProviderFactoryTest, AReloadKeepsAFileSecretThatBecameUnreadable) {
  const test_support::TempDir dir("providers-test");
  manifest::ManifestSet manifests;
  manifests.providers = {Scnet("filed", "UNUSED")};
  manifests.providers[0].token =
      manifest::SecretRef{manifest::SecretRef::Source::kFile, dir.Write("token", "file-token-1\n")};
  ProviderFactory factory(WiringOptions{});
  Wiring first = factory.Build(manifests);
  ASSERT_TRUE(first.problems.empty());
  std::filesystem::remove(dir.Path("token"));
  Wiring reloaded = factory.Build(manifests);
  EXPECT_TRUE(reloaded.problems.empty());
  EXPECT_EQ(reloaded.providers["filed"].client, first.providers["filed"].client);
  EXPECT_EQ(reloaded.providers["filed"].client->SecretProblem(),
            "spec.token: cannot read secret file " + dir.Path("token") +
                "; the value read before is still used; check the path and its permissions");

  // A fresh factory (a restart) cannot use the provider, and says so.
  ProviderFactory restarted(WiringOptions{});
  Wiring fresh = restarted.Build(manifests);
  ASSERT_EQ(fresh.problems.size(), 1u);
  EXPECT_EQ(fresh.problems[0].message, "provider filed: spec.token: cannot read secret file " +
                                           dir.Path("token") +
                                           "; check the path and its permissions");
}

// spec.auth: each part is read from its secret, and an unreadable one is a
// problem naming the field.
TEST(ProviderFactoryTest, AnAccessKeyPartThatCannotBeReadIsAProblem) {
  ::unsetenv("CONVERGE_PROVIDERS_TEST_AK_USER");
  ::setenv("CONVERGE_PROVIDERS_TEST_AK", "providers-test-access-key", 1);
  manifest::Provider p;
  p.metadata.name = "ak";
  p.type = manifest::ProviderType::kScnet;
  p.cluster = "kunshan";
  p.auth =
      manifest::ScnetAuth{{manifest::SecretRef::Source::kEnv, "CONVERGE_PROVIDERS_TEST_AK_USER"},
                          {manifest::SecretRef::Source::kEnv, "CONVERGE_PROVIDERS_TEST_AK"},
                          {manifest::SecretRef::Source::kEnv, "CONVERGE_PROVIDERS_TEST_AK"}};
  manifest::ManifestSet manifests;
  manifests.providers = {p};
  ProviderFactory factory(WiringOptions{});
  Wiring wiring = factory.Build(manifests);
  ASSERT_EQ(wiring.problems.size(), 1u);
  EXPECT_EQ(wiring.problems[0].message,
            "provider ak: spec.auth.user: environment variable CONVERGE_PROVIDERS_TEST_AK_USER is "
            "not set; set it or use fromFile");
  auto listed = wiring.providers["ak"].client->List(cloud::ResourceKind::kContainerInstance);
  ASSERT_FALSE(listed);
  EXPECT_EQ(listed.error().message,
            "provider \"ak\" is misconfigured: spec.auth.user: environment variable "
            "CONVERGE_PROVIDERS_TEST_AK_USER is not set; set it or use fromFile");
}

}  // namespace
}  // namespace converge::cli

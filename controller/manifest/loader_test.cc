#include "manifest/loader.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>

#include "support/manifests.h"
#include "support/temp_dir.h"

namespace converge::manifest {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

constexpr const char* kTioneProvider = test_support::kTioneProviderYaml;
constexpr const char* kProvider = test_support::kScnetProviderYaml;

std::string Service(const std::string& name) {
  return "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: " + name +
         "}\nspec: {provider: scnet-a, notebook: \"" + name + "-nb\", port: 80, command: c}\n";
}

std::vector<std::string> Lines(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& d : r.errors) out.push_back(d.ToString());
  return out;
}

std::vector<std::string> ServiceNames(const LoadResult& r) {
  std::vector<std::string> out;
  for (const auto& res : r.manifests.resources) out.push_back(MetaOf(res).name);
  return out;
}

class LoaderDirTest : public ::testing::Test {
 protected:
  void Write(const std::string& rel, const std::string& text) { dir_.Write(rel, text); }
  std::string Path(const std::string& rel = "") const { return dir_.Path(rel); }

  test_support::TempDir dir_{"converge-loader"};
};

TEST(Diagnostic, FormatsAllPartsAndLeavesOutEmptyOnes) {
  Diagnostic d{.location = {"a.yaml", 3, 5},
               .kind = "ContainerInstance",
               .name = "x",
               .field = "spec.cpu",
               .message = "bad"};
  EXPECT_EQ(d.ToString(), "a.yaml:3:5: ContainerInstance/x: spec.cpu: bad");
  EXPECT_EQ((Diagnostic{.location = {"a.yaml", 0, 0}, .message = "m"}).ToString(), "a.yaml: m");
  EXPECT_EQ(
      (Diagnostic{.location = {"a.yaml", 1, 1}, .kind = "Provider", .message = "m"}).ToString(),
      "a.yaml:1:1: Provider: m");
}

TEST(LoadString, MultiDocumentWithEmptyAndCommentOnlyDocuments) {
  const std::string yaml = std::string("# header comment\n---\n") + kProvider +
                           "---\n# only a comment\n---\n---\n" + Service("one") + "---\n";
  const LoadResult r = LoadString(yaml, "m.yaml");
  EXPECT_THAT(Lines(r), IsEmpty());
  EXPECT_EQ(r.files, 1u);
  EXPECT_EQ(r.documents, 2u);
  ASSERT_EQ(r.manifests.providers.size(), 1u);
  EXPECT_EQ(r.manifests.providers[0].metadata.location.ToString(), "m.yaml:3:1");
  EXPECT_THAT(ServiceNames(r), ElementsAre("one"));
}

// Found by the manifest fuzz target (ASan heap-use-after-free,
// tests/fuzz/manifest/regressions/): the duplicate-name message read spec.provider
// with a const json's operator[], undefined when the document has no spec.
TEST(LoadString, DuplicateNameOfADocumentWithoutSpec) {
  const std::string yaml =
      "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: x}\n"
      "---\n"
      "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: x}\n";
  const LoadResult r = LoadString(yaml, "dup.yaml");
  int duplicates = 0;
  for (const Diagnostic& d : r.errors) {
    if (d.message.starts_with("duplicate ContainerInstance name \"x\" in provider \"\"")) {
      ++duplicates;
    }
  }
  EXPECT_EQ(duplicates, 2);
}

TEST(LoadString, EmptyFileIsValid) {
  for (const char* text : {"", "\n", "# nothing here\n", "---\n"}) {
    const LoadResult r = LoadString(text, "e.yaml");
    EXPECT_TRUE(r.ok()) << text;
    EXPECT_EQ(r.documents, 0u);
  }
}

TEST(LoadString, FillsTheModelWithDefaults) {
  const std::string yaml = std::string(kProvider) + "---\n" + kTioneProvider + R"(---
apiVersion: converge.dev/v1alpha1
kind: ContainerInstance
metadata: {name: ci, labels: {team: nlp}}
spec:
  provider: scnet-a
  taskType: ssh
  image: {name: "j:1", path: "r/j:1"}
  resourceGroup: g
  accelerator: {type: cpu}
  memoryMB: 512
---
apiVersion: converge.dev/v1alpha1
kind: TiOneNotebook
metadata: {name: nb}
spec:
  provider: tione-a
  resources: {instanceType: TI.S.MEDIUM.POST}
  image: {url: "ccr/x:1"}
)";
  const LoadResult r = LoadString(yaml, "d.yaml");
  ASSERT_THAT(Lines(r), IsEmpty());
  ASSERT_EQ(r.manifests.providers.size(), 2u);

  const Provider& scnet = r.manifests.providers[0];
  EXPECT_EQ(scnet.type, ProviderType::kScnet);
  EXPECT_EQ(scnet.endpoint, "https://scnet.example.com");
  ASSERT_TRUE(scnet.token.has_value());
  EXPECT_EQ(scnet.token->Describe(), "env T");
  EXPECT_EQ(scnet.rate_limit.qps, 10);
  EXPECT_EQ(scnet.rate_limit.burst, 20);
  EXPECT_EQ(scnet.connect_timeout, std::chrono::seconds(5));
  EXPECT_EQ(scnet.request_timeout, std::chrono::seconds(30));
  EXPECT_EQ(scnet.max_retries, 3);

  const Provider& tione = r.manifests.providers[1];
  EXPECT_EQ(tione.type, ProviderType::kTione);
  EXPECT_EQ(tione.region, "ap-shanghai");
  EXPECT_EQ(tione.secret_id->Describe(), "env ID");
  EXPECT_EQ(tione.secret_key->Describe(), "file /run/key");
  EXPECT_EQ(tione.rate_limit.qps, 20);
  EXPECT_FALSE(tione.token.has_value());

  ASSERT_EQ(r.manifests.resources.size(), 2u);
  const auto& ci = std::get<ContainerInstance>(r.manifests.resources[0]);
  EXPECT_EQ(ci.metadata.labels.at("team"), "nlp");
  EXPECT_EQ(ci.spec.accelerator_type, "cpu");
  EXPECT_EQ(ci.spec.accelerator_count, 0);
  EXPECT_EQ(ci.spec.cpu, 1);
  EXPECT_EQ(ci.spec.memory_mb, 512);
  EXPECT_EQ(ci.spec.replicas, 1);
  EXPECT_EQ(ci.spec.timeout, "unlimited");
  EXPECT_FALSE(ci.spec.start_script.has_value());
  EXPECT_THAT(ci.spec.mounts, IsEmpty());
  EXPECT_THAT(ci.spec.ports, IsEmpty());
  EXPECT_EQ(ci.spec.restart_policy, RestartPolicy::kOnFailure);
  EXPECT_EQ(ci.spec.description, "");

  const auto& nb = std::get<TiOneNotebook>(r.manifests.resources[1]);
  EXPECT_EQ(nb.spec.state, "Running");
  EXPECT_EQ(nb.spec.charge_type, "POSTPAID_BY_HOUR");
  EXPECT_EQ(nb.spec.resources.cpu, 0);
  EXPECT_EQ(nb.spec.resources.gpu, 0);
  EXPECT_EQ(nb.spec.image.type, "SYSTEM");
  EXPECT_EQ(nb.spec.volume_source_type, "CLOUD_PREMIUM");
  EXPECT_EQ(nb.spec.volume_size_gb, 10);
  EXPECT_FALSE(nb.spec.log_enable);
  EXPECT_TRUE(nb.spec.root_access);
  EXPECT_FALSE(nb.spec.auto_stopping);
  EXPECT_EQ(nb.spec.automatic_stop_time, 0);
  EXPECT_TRUE(nb.spec.direct_internet_access);
}

TEST(LoadString, ReadsEveryField) {
  const std::string yaml = std::string(kProvider) + R"(---
apiVersion: converge.dev/v1alpha1
kind: ContainerInstance
metadata: {name: ci}
spec:
  provider: scnet-a
  taskType: jupyter
  image: {name: "j:1", path: "r/j:1"}
  resourceGroup: TeslaM40
  accelerator: {type: gpu, count: 2}
  cpu: 3
  memoryMB: 15360
  replicas: 2
  timeout: "01:30:00"
  startScript: {scope: header, content: "echo hi\n"}
  mounts: [{source: /a, target: /b, type: path}]
  ports: [{port: 22, protocol: SSH}]
  restartPolicy: Always
  description: hello
)";
  const LoadResult r = LoadString(yaml, "f.yaml");
  ASSERT_THAT(Lines(r), IsEmpty());
  const auto& s = std::get<ContainerInstance>(r.manifests.resources[0]).spec;
  EXPECT_EQ(s.task_type, "jupyter");
  EXPECT_EQ(s.image_name, "j:1");
  EXPECT_EQ(s.image_path, "r/j:1");
  EXPECT_EQ(s.resource_group, "TeslaM40");
  EXPECT_EQ(s.accelerator_count, 2);
  EXPECT_EQ(s.cpu, 3);
  EXPECT_EQ(s.replicas, 2);
  EXPECT_EQ(s.timeout, "01:30:00");
  ASSERT_TRUE(s.start_script.has_value());
  EXPECT_EQ(s.start_script->scope, "header");
  EXPECT_EQ(s.start_script->content, "echo hi\n");
  ASSERT_EQ(s.mounts.size(), 1u);
  EXPECT_EQ(s.mounts[0].source, "/a");
  EXPECT_EQ(s.mounts[0].target, "/b");
  EXPECT_EQ(s.mounts[0].type, "path");
  ASSERT_EQ(s.ports.size(), 1u);
  EXPECT_EQ(s.ports[0].port, 22);
  EXPECT_EQ(s.ports[0].protocol, "SSH");
  EXPECT_EQ(s.restart_policy, RestartPolicy::kAlways);
  EXPECT_EQ(s.description, "hello");
}

TEST(LoadString, ProviderTimeoutsAndRateLimit) {
  const std::string yaml = R"(apiVersion: converge.dev/v1alpha1
kind: Provider
metadata: {name: p}
spec:
  type: scnet
  endpoint: http://127.0.0.1:8089
  token: {fromFile: /t}
  rateLimit: {qps: 2.5, burst: 3}
  timeouts: {connect: 500ms, request: 1m30s}
  maxRetries: 0
  caFile: /etc/ca.pem
)";
  const LoadResult r = LoadString(yaml, "p.yaml");
  ASSERT_THAT(Lines(r), IsEmpty());
  const Provider& p = r.manifests.providers[0];
  EXPECT_EQ(p.rate_limit.qps, 2.5);
  EXPECT_EQ(p.rate_limit.burst, 3);
  EXPECT_EQ(p.connect_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(p.request_timeout, std::chrono::seconds(90));
  EXPECT_EQ(p.max_retries, 0);
  EXPECT_EQ(p.ca_file, "/etc/ca.pem");
}

TEST(LoadString, SyntaxErrorReportsOneBasedLineAndColumn) {
  const LoadResult r = LoadString("a: b\nc: [1, 2\n", "s.yaml");
  EXPECT_THAT(Lines(r), ElementsAre("s.yaml:3:1: invalid YAML: end of sequence flow not found"));
}

TEST(LoadString, AliasBombFailsFast) {
  std::string yaml = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n";
  std::string prev = "a";
  for (char c = 'b'; c <= 'j'; ++c) {
    yaml += std::string(1, c) + ": &" + c + " [";
    for (int i = 0; i < 9; ++i) yaml += (i ? ", *" : "*") + prev;
    yaml += "]\n";
    prev = std::string(1, c);
  }
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = LoadString(yaml, "bomb.yaml");
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_THAT(Lines(r), ElementsAre("bomb.yaml:1:1: document is too large or too deeply nested: "
                                    "more than 100000 nodes (aliases expanded) or 256 levels; "
                                    "split it or remove YAML aliases"));
}

// Found by the manifest fuzzer: yaml-cpp 0.7's LoadAll builds nodes without end for a
// document starting with a flow entry; the event budget refuses it first.
TEST(LoadString, AStrayFlowEntryIsRefusedInsteadOfExhaustingMemory) {
  const LoadResult r = LoadString(",ap:x\n", "comma.yaml");
  EXPECT_THAT(Lines(r),
              ElementsAre("comma.yaml:1:1: invalid YAML: the parser makes more than "
                          "100000 nodes of this file (malformed YAML, e.g. a line "
                          "starting with ',' outside [ ] or { }); check the syntax here"));
}

TEST(LoadString, NodeLimitCountsAliasExpansions) {
  LoadOptions options;
  options.max_nodes = 50;
  // The anchored mapping is 9 nodes; 3 + 9 + 1 + 3 * 9 = 40 nodes walked: within the limit.
  const std::string small = "a: &a {b: [1, 2, 3, 4], c: 5}\nx: [*a, *a, *a]\n";
  EXPECT_THAT(Lines(LoadString(small, "s.yaml", options)),
              ElementsAre("s.yaml:1:1: kind: required field is missing",
                          "s.yaml:1:1: apiVersion: required field is missing"));
  // Two more aliases add no text worth mentioning but 18 walked nodes: 58.
  const std::string big = "a: &a {b: [1, 2, 3, 4], c: 5}\nx: [*a, *a, *a, *a, *a]\n";
  EXPECT_THAT(Lines(LoadString(big, "b.yaml", options)),
              ElementsAre("b.yaml:1:1: document is too large or too deeply nested: more than 50 "
                          "nodes (aliases expanded) or 256 levels; split it or remove YAML "
                          "aliases"));
}

TEST(LoadString, DeepNestingFailsWithAClearError) {
  const std::string yaml = "a: " + std::string(5000, '[') + std::string(5000, ']') + "\n";
  const LoadResult r = LoadString(yaml, "deep.yaml");
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_THAT(r.errors[0].ToString(), HasSubstr("deep.yaml:1:"));
  EXPECT_THAT(r.errors[0].message, "invalid YAML: nesting is too deep; flatten the document");
}

TEST(LoadString, RejectsTooLargeInput) {
  LoadOptions options;
  options.max_file_bytes = 10;
  EXPECT_THAT(Lines(LoadString("a: 12345678901", "big.yaml", options)),
              ElementsAre("big.yaml: file is too large (14 bytes; the limit is 10 bytes); split "
                          "it into smaller files"));
}

TEST(LoadString, RevisionIsAContentHash) {
  const LoadResult a = LoadString(kProvider, "p.yaml");
  const LoadResult b = LoadString(kProvider, "p.yaml");
  const LoadResult c = LoadString(std::string(kProvider) + "# changed\n", "p.yaml");
  EXPECT_EQ(a.manifests.revision.size(), 12u);
  EXPECT_EQ(a.manifests.revision.find_first_not_of("0123456789abcdef"), std::string::npos);
  EXPECT_EQ(a.manifests.revision, b.manifests.revision);
  EXPECT_NE(a.manifests.revision, c.manifests.revision);
}

TEST_F(LoaderDirTest, ReadsDirectoriesRecursivelyInSortedOrder) {
  Write("providers.yaml", kProvider);
  Write("b/two.yml", Service("two"));
  Write("a/nested/one.yaml", Service("one"));
  Write("c.yaml", Service("three") + "---\n" + Service("four"));
  Write("README.md", "not yaml: [");
  Write("notes.txt", "not yaml: [");
  Write(".git/config.yaml", "broken: [");
  Write(".hidden.yaml", "broken: [");
  const LoadResult r = LoadPaths({Path()});
  EXPECT_THAT(Lines(r), IsEmpty());
  EXPECT_EQ(r.files, 4u);
  EXPECT_EQ(r.documents, 5u);
  EXPECT_THAT(ServiceNames(r), ElementsAre("one", "two", "three", "four"));
  EXPECT_EQ(MetaOf(r.manifests.resources[0]).location.file, Path("a/nested/one.yaml"));
}

TEST_F(LoaderDirTest, ChecksReferencesAcrossFilesAndPaths) {
  Write("p/providers.yaml", kProvider);
  Write("s/services.yaml", Service("one"));
  EXPECT_THAT(Lines(LoadPaths({Path("s")})),
              ElementsAre(Path("s/services.yaml") +
                          ":4:18: NotebookService/one: spec.provider: Provider \"scnet-a\" not "
                          "found; define a scnet Provider with that name"));
  EXPECT_TRUE(LoadPaths({Path("s"), Path("p/providers.yaml")}).ok());
}

TEST_F(LoaderDirTest, ReportsErrorsOfEveryFileSorted) {
  Write("providers.yaml", kProvider);
  Write("b.yaml", "apiVersion: converge.dev/v1alpha1\nkind: Nope\n");
  Write("a.yaml", "x: [\n");
  EXPECT_THAT(
      Lines(LoadPaths({Path()})),
      ElementsAre(Path("a.yaml") + ":2:1: invalid YAML: end of sequence flow not found",
                  Path("b.yaml") + ":2:7: kind: unknown kind \"Nope\"; expected one of Provider, "
                                   "ContainerInstance, NotebookService, TiOneNotebook"));
}

TEST_F(LoaderDirTest, MissingPathHoldsNoManifests) {
  const LoadResult r = LoadPaths({Path("nope")});
  EXPECT_THAT(Lines(r), ElementsAre("no manifests found under " + Path("nope") +
                                    ": no such file or directory; check the path"));
  EXPECT_TRUE(r.no_manifests);
}

TEST_F(LoaderDirTest, DirectoryWithoutManifestFilesHoldsNoManifests) {
  Write("README.md", "# not a manifest\n");
  Write(".hidden.yaml", kProvider);
  fs::create_directories(fs::path(dir_.path()) / "empty");
  for (const std::string& dir : {Path(), Path("empty")}) {
    const LoadResult r = LoadPaths({dir});
    EXPECT_THAT(Lines(r), ElementsAre("no manifests found under " + dir +
                                      ": the directory holds no *.yaml or *.yml file (entries "
                                      "starting with . are skipped); pass the directory that "
                                      "holds your manifests"));
    EXPECT_TRUE(r.no_manifests);
    EXPECT_EQ(r.files, 0u);
  }
}

TEST_F(LoaderDirTest, EveryPathMustHoldAManifest) {
  Write("good/providers.yaml", kProvider);
  fs::create_directories(fs::path(dir_.path()) / "empty");
  const LoadResult r = LoadPaths({Path("good"), Path("empty"), Path("typo")});
  EXPECT_THAT(Lines(r),
              ElementsAre("no manifests found under " + Path("empty") +
                              ": the directory holds no *.yaml or *.yml file (entries starting "
                              "with . are skipped); pass the directory that holds your manifests",
                          "no manifests found under " + Path("typo") +
                              ": no such file or directory; check the path"));
  EXPECT_TRUE(r.no_manifests);
  EXPECT_FALSE(LoadPaths({Path("good")}).no_manifests);
}

TEST_F(LoaderDirTest, FilesWithOnlyCommentsHoldNoManifests) {
  Write("a.yaml", "# nothing yet\n");
  Write("b.yml", "---\n");
  const LoadResult r = LoadPaths({Path()});
  EXPECT_THAT(Lines(r), ElementsAre("no manifests found under " + Path() +
                                    ": the files hold no YAML document (only comments or "
                                    "nothing)"));
  EXPECT_TRUE(r.no_manifests);
  EXPECT_EQ(r.files, 2u);
}

TEST_F(LoaderDirTest, TabIndentationIsNamedWithFileAndLine) {
  Write("providers.yaml", kProvider);
  Write("tabs.yaml",
        "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata:\n"
        "\tname: one\n");
  Write("mixed.yaml",
        "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata:\n"
        "  name: two\nspec:\n  provider: scnet-a\n  \tport: 80\n");
  const LoadResult r = LoadPaths({Path()});
  EXPECT_THAT(Lines(r),
              ElementsAre(Path("mixed.yaml") + ":7:3: invalid YAML: tabs are not allowed in YAML "
                                               "indentation; indent with spaces",
                          Path("tabs.yaml") + ":4:1: invalid YAML: tabs are not allowed in YAML "
                                              "indentation; indent with spaces"));
  EXPECT_FALSE(r.no_manifests);
}

TEST(LoadString, TabsInsideABlockScalarAreContent) {
  const LoadResult r = LoadString(
      "apiVersion: converge.dev/v1alpha1\nkind: NotebookService\nmetadata: {name: one}\n"
      "spec:\n  provider: scnet-a\n  notebook: nb\n  port: 80\n  command: |\n"
      "    make \\\n    \t-j2\n",
      "block.yaml");
  EXPECT_THAT(Lines(r), ElementsAre("block.yaml:5:13: NotebookService/one: spec.provider: "
                                    "Provider \"scnet-a\" not found; define a scnet Provider "
                                    "with that name"));
}

TEST_F(LoaderDirTest, ExplicitFileOfAnyExtensionIsRead) {
  Write("manifest.txt", kProvider);
  const LoadResult r = LoadPaths({Path("manifest.txt")});
  EXPECT_TRUE(r.ok());
  EXPECT_EQ(r.manifests.providers.size(), 1u);
}

TEST_F(LoaderDirTest, SameFileTwiceIsReadOnce) {
  Write("providers.yaml", kProvider);
  const LoadResult r = LoadPaths({Path(), Path("providers.yaml")});
  EXPECT_THAT(Lines(r), IsEmpty());
  EXPECT_EQ(r.files, 1u);
}

// Files are told apart by their canonical path, found once per directory given (not
// per file): a directory reached through a symlink, or a file symlink beside its
// target, is still the same file.
TEST_F(LoaderDirTest, SameFileThroughSymlinksIsReadOnce) {
  Write("real/providers.yaml", kProvider);
  Write("real/sub/s.yaml", Service("one"));
  fs::create_directory_symlink(Path("real"), Path("alias"));
  fs::create_symlink("providers.yaml", Path("real/link.yaml"));
  const LoadResult r = LoadPaths({Path("alias"), Path("real"), Path("real/sub/s.yaml")});
  EXPECT_THAT(Lines(r), IsEmpty());
  EXPECT_EQ(r.files, 2u);
  EXPECT_EQ(r.documents, 2u);
}

// Files are decoded on several threads in blocks of 64; the result is the one of a
// single thread: the same diagnostics in the same order (cross-file duplicates
// name the same "also defined at"), the same objects in file order, the same counts.
TEST_F(LoaderDirTest, DecodingOnSeveralThreadsGivesTheResultOfOne) {
  Write("providers.yaml", std::string(kProvider) + "---\n" + kTioneProvider);
  for (int i = 0; i < 300; ++i) {
    const std::string n = std::to_string(i);
    std::string text = Service("s" + n);
    if (i % 37 == 0) text = Service("s" + std::to_string(i / 2));  // a duplicate name
    if (i % 53 == 0) text += "---\nkind: Nothing\n";
    if (i % 71 == 0) text = "a: [1, 2\n";
    Write("d" + std::to_string(i % 7) + "/f" + n + ".yaml", text);
  }
  LoadOptions one;
  one.threads = 1;
  LoadOptions four;
  four.threads = 4;
  const LoadResult a = LoadPaths({Path()}, one);
  const LoadResult b = LoadPaths({Path()}, four);
  EXPECT_EQ(a.files, 301u);
  EXPECT_EQ(b.files, 301u);
  EXPECT_EQ(a.documents, b.documents);
  EXPECT_EQ(Lines(a), Lines(b));
  EXPECT_EQ(ServiceNames(a), ServiceNames(b));
  EXPECT_EQ(a.manifests.providers.size(), 2u);
  EXPECT_EQ(b.manifests.providers.size(), 2u);
  EXPECT_EQ(a.manifests.revision, b.manifests.revision);
  // 5 files of invalid YAML (i = 0, 71, ...); 5 unknown kinds (53, 106, ...) with no
  // apiVersion: 10; 4 names twice (s18, s55, s92, s129), each copy reported for its
  // name and for its notebook: 16.
  EXPECT_EQ(Lines(a).size(), 31u);
  EXPECT_EQ(ServiceNames(a).size(), 295u);  // duplicates are reported, still decoded
}

TEST_F(LoaderDirTest, HugeFileIsRejectedBeforeReading) {
  Write("providers.yaml", kProvider);
  Write("huge.yaml", "");
  fs::resize_file(fs::path(dir_.path()) / "huge.yaml", 100u << 20);  // sparse: no 100 MB write
  const auto start = std::chrono::steady_clock::now();
  const LoadResult r = LoadPaths({Path()});
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_THAT(Lines(r), ElementsAre(Path("huge.yaml") +
                                    ": file is too large (104857600 bytes; the limit is 4194304 "
                                    "bytes); split it into smaller files"));
}

TEST_F(LoaderDirTest, RevisionDependsOnContentAndRelativePathsOnly) {
  Write("x/providers.yaml", kProvider);
  Write("x/sub/s.yaml", Service("one"));
  Write("y/providers.yaml", kProvider);
  Write("y/sub/s.yaml", Service("one"));
  const std::string x = LoadPaths({Path("x")}).manifests.revision;
  EXPECT_EQ(x, LoadPaths({Path("y")}).manifests.revision);
  EXPECT_EQ(x, LoadPaths({Path("x") + "/"}).manifests.revision);
  Write("y/sub/s.yaml", Service("two"));
  EXPECT_NE(x, LoadPaths({Path("y")}).manifests.revision);
  fs::rename(fs::path(dir_.path()) / "x/sub/s.yaml", fs::path(dir_.path()) / "x/sub/renamed.yaml");
  EXPECT_NE(x, LoadPaths({Path("x")}).manifests.revision);
}

TEST(Examples, AreValid) {
  const LoadResult r = LoadPaths({std::string(CONVERGE_SOURCE_DIR) + "/manifests/examples"});
  EXPECT_THAT(Lines(r), IsEmpty());
  EXPECT_EQ(r.manifests.providers.size(), 3u);
  std::map<Kind, int> counts;
  for (const auto& res : r.manifests.resources) ++counts[KindOf(res)];
  EXPECT_EQ(counts[Kind::kContainerInstance], 4);
  EXPECT_EQ(counts[Kind::kNotebookService], 3);
  EXPECT_EQ(counts[Kind::kTiOneNotebook], 3);
}

}  // namespace
}  // namespace converge::manifest

namespace converge::manifest {
namespace {

TEST(LoadString, TiOneSessionToken) {
  const LoadResult r = LoadString(
      "apiVersion: converge.dev/v1alpha1\nkind: Provider\nmetadata: {name: t}\nspec:\n"
      "  type: tione\n  endpoint: https://tione.tencentcloudapi.com\n  region: ap-guangzhou\n"
      "  secretId: {fromFile: /run/id}\n  secretKey: {fromFile: /run/key}\n"
      "  sessionToken: {fromFile: /run/session}\n",
      "s.yaml");
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r.manifests.providers.size(), 1u);
  ASSERT_TRUE(r.manifests.providers[0].session_token.has_value());
  EXPECT_EQ(r.manifests.providers[0].session_token->Describe(), "file /run/session");
}

}  // namespace
}  // namespace converge::manifest

#include "manifest/yaml_tree.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "manifest/walk.h"

namespace converge::manifest {
namespace {

std::string MarkText(const YAML::Mark& m) {
  return std::to_string(m.line) + ":" + std::to_string(m.column);
}

// One line per node, depth first: what the walk reads of a node.
void Render(const YAML::Node& node, int depth, std::string* out) {
  if (depth > 64) return;  // an anchor inside itself makes a cycle in both trees
  static const char* kTypes[] = {"undefined", "null", "scalar", "sequence", "map"};
  *out += std::string(depth * 2, ' ') + kTypes[node.Type()] + " tag=" + node.Tag() + " at " +
          MarkText(node.Mark());
  if (node.IsScalar()) *out += " '" + node.Scalar() + "'";
  *out += " size=" + std::to_string(node.IsMap() || node.IsSequence() ? node.size() : 0) + "\n";
  if (node.IsMap()) {
    for (auto it = node.begin(); it != node.end(); ++it) {
      Render(it->first, depth + 1, out);
      Render(it->second, depth + 1, out);
    }
  } else if (node.IsSequence()) {
    for (auto it = node.begin(); it != node.end(); ++it) Render(*it, depth + 1, out);
  }
}

void Render(const YamlNode& node, int depth, std::string* out) {
  if (depth > 64) return;
  static const char* kTypes[] = {"null", "scalar", "sequence", "map"};
  *out += std::string(depth * 2, ' ') + kTypes[static_cast<int>(node.type())] +
          " tag=" + node.Tag() + " at " + MarkText(node.Mark());
  if (node.IsScalar()) *out += " '" + node.Scalar() + "'";
  *out += " size=" + std::to_string(node.size()) + "\n";
  for (const YamlNode* child : node.children()) Render(*child, depth + 1, out);
}

// What yaml-cpp's YAML::LoadAll makes of `text`: every non-null document, or its error.
std::string ViaLoadAll(const std::string& text) {
  try {
    std::string out;
    for (const YAML::Node& doc : YAML::LoadAll(text)) {
      if (!doc.IsDefined() || doc.IsNull()) continue;
      out += "---\n";
      Render(doc, 0, &out);
    }
    return out;
  } catch (const YAML::Exception& e) {
    return "error at " + MarkText(e.mark) + ": " + e.msg;
  }
}

// The same of ParseYaml's trees.
std::string ViaParseYaml(const YamlParseResult& parsed) {
  if (parsed.error)
    return "error at " + MarkText(parsed.error->mark) + ": " + parsed.error->message;
  std::string out;
  for (const YamlNode* doc : parsed.file.documents) {
    if (doc == nullptr || doc->IsNull()) continue;
    out += "---\n";
    Render(*doc, 0, &out);
  }
  return out;
}

const std::vector<std::string> kInputs = {
    "apiVersion: converge.dev/v1alpha1\nkind: ContainerInstance\nmetadata: {name: a}\n",
    "a: 1\nb: [x, 'y', \"z\", ~, null, true, 0x1f, .inf]\nc: {d: e, f: }\n",
    "a: &x {b: [1, 2]}\nc: *x\nd: [*x, *x]\n",
    "k: 1\nk: 2\nk: {nested: 3}\n",
    "? [a, b]\n: c\n? {d: e}\n: f\n",
    "---\n---\n# only a comment\n---\n~\n--- x\n...\n--- [1]\n",
    "s: !!str 1\ni: !!int '2'\nc: !custom x\nq: !\"quoted\"\n",
    "lit: |\n  line one\n  line two\nfold: >-\n  folded\n  text\n",
    "{a, b: , ? c}\n",
    "- a\n- - b\n  - c\n- d: e\n  f: g\n",
    ": no key\n",
    "",
    "a: [1, 2\n",
    "a:\n\tb: c\n",
    "a: *unknown\n",
    "a: b\n  c: d\n",
    "key: \"unterminated\n",
    "&a [*a]\n",
    "a: {b: 1}}\n",
};

TEST(ParseYaml, BuildsTheTreesYamlCppsLoadAllBuilds) {
  for (const std::string& text : kInputs) {
    SCOPED_TRACE(text);
    EXPECT_EQ(ViaParseYaml(ParseYaml(text, 100000)), ViaLoadAll(text));
  }
}

// Random byte edits of the inputs above (a fixed seed): the same trees, or the same
// error at the same position, as LoadAll. Inputs that go past the event budget are
// left out: on some of those LoadAll never ends.
TEST(ParseYaml, MatchesLoadAllOnMutatedInputs) {
  std::mt19937 rng(13);
  const std::string alphabet = "ab: -[]{},&*!?|>'\"#\n\t~.0";
  int compared = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string text = kInputs[rng() % kInputs.size()];
    for (int edits = 1 + rng() % 3; edits > 0; --edits) {
      const size_t at = text.empty() ? 0 : rng() % (text.size() + 1);
      const char c = alphabet[rng() % alphabet.size()];
      switch (rng() % 3) {
        case 0:
          text.insert(at, 1, c);
          break;
        case 1:
          if (at < text.size()) text[at] = c;
          break;
        default:
          if (at < text.size()) text.erase(at, 1);
      }
    }
    const YamlParseResult parsed = ParseYaml(text, 10000);
    if (parsed.error && parsed.error->reason == YamlParseError::Reason::kBudget) continue;
    SCOPED_TRACE(text);
    ASSERT_EQ(ViaParseYaml(parsed), ViaLoadAll(text));
    ++compared;
  }
  EXPECT_GT(compared, 2900);
}

TEST(ParseYaml, CountsEveryNodeEventOfTheFileAgainstTheBudget) {
  // Two documents of 4 node events each: "a: [b]" is a map start, a, a sequence start, b.
  const std::string text = "a: [b]\n---\nc: [d]\n";
  EXPECT_FALSE(ParseYaml(text, 8).error);
  const YamlParseResult over = ParseYaml(text, 7);
  ASSERT_TRUE(over.error);
  EXPECT_EQ(over.error->reason, YamlParseError::Reason::kBudget);
  EXPECT_EQ(MarkText(over.error->mark), "2:4");  // "d", the 8th event
  EXPECT_TRUE(over.file.documents.empty());
}

// Found by the manifest fuzzer: yaml-cpp 0.7's parser produces events without end for
// a document starting with a flow entry; the budget stops it at the first event past it.
TEST(ParseYaml, StopsAStrayFlowEntryAtTheBudget) {
  const YamlParseResult parsed = ParseYaml(",ap:x\n", 1000);
  ASSERT_TRUE(parsed.error);
  EXPECT_EQ(parsed.error->reason, YamlParseError::Reason::kBudget);
  EXPECT_EQ(MarkText(parsed.error->mark), "0:0");
}

TEST(ParseYaml, AnAliasIsItsAnchorsNode) {
  const YamlParseResult parsed = ParseYaml("a: &x {b: 1}\nc: *x\n", 100);
  ASSERT_FALSE(parsed.error);
  ASSERT_EQ(parsed.file.documents.size(), 1u);
  const auto& entries = parsed.file.documents[0]->children();
  ASSERT_EQ(entries.size(), 4u);
  EXPECT_EQ(entries[1], entries[3]);
  EXPECT_EQ(parsed.file.nodes.size(), 6u);  // root, a, {b: 1}, b, 1, c
}

// The core-schema resolution of plain scalars, hand-written (it was std::regex).
TEST(ResolveScalar, ResolvesPlainScalarsByTheCoreSchema) {
  auto kind = [](const std::string& scalar) {
    const YamlParseResult parsed = ParseYaml("[" + scalar + "]", 100);
    EXPECT_FALSE(parsed.error) << scalar;
    if (parsed.error) return -1;
    return static_cast<int>(ResolveScalar(*parsed.file.documents[0]->children()[0]));
  };
  const int kString = static_cast<int>(ScalarKind::kString);
  const int kInteger = static_cast<int>(ScalarKind::kInteger);
  const int kFloat = static_cast<int>(ScalarKind::kFloat);
  const int kBoolean = static_cast<int>(ScalarKind::kBoolean);
  const int kNull = static_cast<int>(ScalarKind::kNull);
  for (const char* s : {"0", "-12", "+7", "0o17", "0x1fA"}) EXPECT_EQ(kind(s), kInteger) << s;
  for (const char* s : {"1.", "-.5", "1.5e3", "2E-7", "+.inf", "-.Inf", ".NaN", "3e+2"}) {
    EXPECT_EQ(kind(s), kFloat) << s;
  }
  for (const char* s : {"0x", "0o8", "0xg", "1e", ".e1", ".", "+.nan", "1_000", "1.2.3", "'1'",
                        "\"2\"", "!!str 3", "12abc", "1e5x"}) {
    EXPECT_EQ(kind(s), kString) << s;
  }
  for (const char* s : {"true", "False", "TRUE"}) EXPECT_EQ(kind(s), kBoolean) << s;
  for (const char* s : {"~", "Null", "!!null x"}) EXPECT_EQ(kind(s), kNull) << s;
  EXPECT_EQ(kind("!!int x"), kInteger);
  EXPECT_EQ(kind(std::string(70, '1')), kString);  // too long to be a number
}

}  // namespace
}  // namespace converge::manifest

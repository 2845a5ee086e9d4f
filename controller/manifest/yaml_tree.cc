#include "manifest/yaml_tree.h"

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <istream>
#include <streambuf>

namespace converge::manifest {

// Builds the trees as the events arrive, the way yaml-cpp's own NodeBuilder (behind
// YAML::LoadAll) does: an anchor names its node from the node's start, an alias is
// its anchor's node itself, a mapping keeps its keys in order, duplicates included.
class YamlTreeBuilder : public YAML::EventHandler {
 public:
  struct BudgetExceeded {
    YAML::Mark mark;
  };

  YamlTreeBuilder(YamlFile* file, size_t max_events) : file_(file), max_events_(max_events) {}

  void OnDocumentStart(const YAML::Mark&) override {
    stack_.clear();
    anchors_.assign(1, nullptr);  // anchors are numbered from 1 in each document
    root_ = nullptr;
  }
  void OnDocumentEnd() override { file_->documents.push_back(root_); }

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Complete(New(mark, anchor, YamlNode::Type::kNull, ""));
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    Count(mark);
    // yaml-cpp's parser refuses an unknown anchor before this event.
    const YamlNode* node = anchor < anchors_.size() ? anchors_[anchor] : nullptr;
    if (node == nullptr) throw YAML::ParserException(mark, "the referenced anchor is not defined");
    Complete(node);
  }
  void OnScalar(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                const std::string& value) override {
    YamlNode* node = New(mark, anchor, YamlNode::Type::kScalar, tag);
    node->scalar_ = value;
    Complete(node);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    stack_.push_back({New(mark, anchor, YamlNode::Type::kSequence, tag), false});
  }
  void OnSequenceEnd() override { Close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string& tag, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    stack_.push_back({New(mark, anchor, YamlNode::Type::kMap, tag), false});
  }
  void OnMapEnd() override { Close(); }

 private:
  struct Open {
    YamlNode* node;
    bool has_key;  // a mapping whose last child is a key still waiting for its value
  };

  void Count(const YAML::Mark& mark) {
    if (++events_ > max_events_) throw BudgetExceeded{mark};
  }

  YamlNode* New(const YAML::Mark& mark, YAML::anchor_t anchor, YamlNode::Type type,
                const std::string& tag) {
    Count(mark);
    YamlNode& node = file_->nodes.emplace_back();
    node.type_ = type;
    node.mark_ = mark;
    node.tag_ = tag;
    if (anchor != 0) {
      if (anchors_.size() <= anchor) anchors_.resize(anchor + 1, nullptr);
      anchors_[anchor] = &node;
    }
    return &node;
  }

  // `node` is finished: it becomes the next child of the open collection, or the root.
  void Complete(const YamlNode* node) {
    if (stack_.empty()) {
      root_ = node;
      return;
    }
    Open& parent = stack_.back();
    parent.node->children_.push_back(node);
    if (parent.node->IsMap()) parent.has_key = !parent.has_key;
  }

  void Close() {
    if (stack_.empty()) return;  // the parser pairs starts and ends
    YamlNode* node = stack_.back().node;
    // A mapping left with a key and no value (yaml-cpp's builder drops such a key).
    if (node->IsMap() && stack_.back().has_key) node->children_.pop_back();
    stack_.pop_back();
    Complete(node);
  }

  YamlFile* file_;
  size_t max_events_;
  size_t events_ = 0;  // over the whole file
  std::vector<Open> stack_;
  std::vector<const YamlNode*> anchors_;
  const YamlNode* root_ = nullptr;
};

namespace {

// An istream over the caller's text, without a copy.
class ViewBuffer : public std::streambuf {
 public:
  explicit ViewBuffer(std::string_view text) {
    char* begin = const_cast<char*>(text.data());
    setg(begin, begin, begin + text.size());
  }
};

}  // namespace

YamlParseResult ParseYaml(std::string_view text, size_t max_events) {
  YamlParseResult result;
  ViewBuffer buffer(text);
  std::istream in(&buffer);
  YamlTreeBuilder builder(&result.file, max_events);
  auto fail = [&result](YamlParseError::Reason reason, const YAML::Mark& mark,
                        std::string message) {
    result.error = YamlParseError{.reason = reason, .mark = mark, .message = std::move(message)};
    result.file = YamlFile();
  };
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(builder)) {
    }
  } catch (const YamlTreeBuilder::BudgetExceeded& e) {
    fail(YamlParseError::Reason::kBudget, e.mark, "");
  } catch (const YAML::DeepRecursion& e) {
    fail(YamlParseError::Reason::kTooDeep, e.mark, e.msg);
  } catch (const YAML::Exception& e) {
    fail(YamlParseError::Reason::kSyntax, e.mark, e.msg);
  } catch (const std::exception& e) {
    fail(YamlParseError::Reason::kOther, YAML::Mark::null_mark(), e.what());
  }
  return result;
}

}  // namespace converge::manifest

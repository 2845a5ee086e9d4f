// The YAML documents of one file as compact trees, built in a single pass from
// yaml-cpp's event parser (YAML::Parser) with a budget on the events, so a
// malformed input that would make the parser produce nodes without end (a
// document starting with a flow entry, e.g. ",a: b", in yaml-cpp 0.7) is refused
// with its position instead of exhausting memory. The trees hold what the walk
// needs (type, tag, scalar, position, children in order, duplicate keys kept,
// aliases shared with their anchor) and nothing else; they live as long as their
// YamlFile, i.e. while one file is decoded.
#pragma once

#include <cstddef>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <yaml-cpp/mark.h>

namespace converge::manifest {

class YamlNode {
 public:
  enum class Type { kNull, kScalar, kSequence, kMap };

  Type type() const { return type_; }
  bool IsNull() const { return type_ == Type::kNull; }
  bool IsScalar() const { return type_ == Type::kScalar; }
  bool IsSequence() const { return type_ == Type::kSequence; }
  bool IsMap() const { return type_ == Type::kMap; }
  // yaml-cpp's tag: "?" for a plain scalar, "!" for a quoted one, else the explicit tag.
  const std::string& Tag() const { return tag_; }
  const std::string& Scalar() const { return scalar_; }  // "" unless a scalar
  const YAML::Mark& Mark() const { return mark_; }

  // A sequence's items; a mapping's keys and values, alternating, in document order.
  const std::vector<const YamlNode*>& children() const { return children_; }
  // Items of a sequence, entries of a mapping, 0 otherwise.
  size_t size() const { return IsMap() ? children_.size() / 2 : children_.size(); }

 private:
  friend class YamlTreeBuilder;
  Type type_ = Type::kNull;
  YAML::Mark mark_;
  std::string tag_;
  std::string scalar_;
  std::vector<const YamlNode*> children_;
};

// The documents of one file; a document is nullptr when it holds no node.
struct YamlFile {
  std::deque<YamlNode> nodes;  // owns every node; addresses are stable
  std::vector<const YamlNode*> documents;
};

// Why a file could not be parsed.
struct YamlParseError {
  enum class Reason { kSyntax, kTooDeep, kBudget, kOther };
  Reason reason = Reason::kOther;
  YAML::Mark mark;      // YAML::Mark::null_mark() when the parser gave no position
  std::string message;  // yaml-cpp's message (kSyntax, kTooDeep, kOther)
};

// Parses every document of `text`. More than `max_events` node events (scalars,
// nulls, aliases, sequence and map starts) in the whole file is a kBudget error
// at the event past the budget. Never throws.
struct YamlParseResult {
  YamlFile file;
  std::optional<YamlParseError> error;
};
YamlParseResult ParseYaml(std::string_view text, size_t max_events);

}  // namespace converge::manifest

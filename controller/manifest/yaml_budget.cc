#include "manifest/yaml_budget.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/parser.h>

#include <sstream>
#include <string>

namespace converge::manifest {
namespace {

struct BudgetExceeded {
  YAML::Mark mark;
};

class EventCounter : public YAML::EventHandler {
 public:
  explicit EventCounter(size_t max_events) : max_events_(max_events) {}
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t) override { Count(mark); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                const std::string&) override {
    Count(mark);
  }
  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {
    Count(mark);
  }
  void OnMapEnd() override {}

 private:
  void Count(const YAML::Mark& mark) {
    if (++events_ > max_events_) throw BudgetExceeded{mark};
  }
  size_t max_events_;
  size_t events_ = 0;
};

}  // namespace

std::optional<YAML::Mark> YamlEventBudgetExceeded(std::string_view text, size_t max_events) {
  std::istringstream in{std::string(text)};
  EventCounter counter(max_events);
  try {
    YAML::Parser parser(in);
    while (parser.HandleNextDocument(counter)) {
    }
  } catch (const BudgetExceeded& e) {
    return e.mark;
  } catch (const std::exception&) {
    // A syntax error (or a nesting too deep): LoadAll reports it with its position.
  }
  return std::nullopt;
}

}  // namespace converge::manifest

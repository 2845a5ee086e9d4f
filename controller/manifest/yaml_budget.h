// A guard in front of yaml-cpp: some malformed inputs (a document starting with
// a flow entry, e.g. ",a: b") make YAML::LoadAll (yaml-cpp 0.7) build nodes
// without end until memory runs out. A first pass counts the parser's events
// with a budget, so such a file is refused with an error instead.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

#include <yaml-cpp/mark.h>

namespace converge::manifest {

// Where the parser went past `max_events` node events (scalars, nulls, aliases,
// sequence and map starts) in `text`; nullopt when it stays within the budget
// or stops at a syntax error (LoadAll reports that one).
std::optional<YAML::Mark> YamlEventBudgetExceeded(std::string_view text, size_t max_events);

}  // namespace converge::manifest

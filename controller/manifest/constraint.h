// What a scalar value must satisfy beyond its type, as its Field (field.h) says:
// const, enum, length, pattern and Format for strings; the range for numbers. Each
// check returns the message to report, or nullopt when the value is fine. Never
// throws.
#pragma once

#include <optional>
#include <string>

#include "manifest/field.h"

namespace converge::manifest {

// The first constraint of `f` that string `value` breaks. `sensitive` values (parts
// of a secret reference) are never echoed back.
std::optional<std::string> StringProblem(const std::string& value, const Field& f, bool sensitive);

// The message when `value` is outside f.minimum .. f.maximum (exclusive_minimum
// honoured).
std::optional<std::string> RangeProblem(double value, const Field& f);

// Whether `pattern` (ECMAScript) matches somewhere in `value`; compiled regexes are
// cached.
bool MatchesPattern(const std::string& value, const std::string& pattern);

}  // namespace converge::manifest

// How manifest values appear in diagnostics; shared by every decoding phase.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace converge::manifest {

// What to write instead of a literal secret.
inline constexpr char kSecretHint[] = "use {fromEnv: NAME} or {fromFile: PATH}";

// `s` in double quotes, cut after 80 characters with "...".
std::string Quote(std::string_view s);

// `items` separated by `sep`.
std::string Join(const std::vector<std::string>& items, std::string_view sep);

// A number for a message: whole numbers without a fraction ("5"), others without
// trailing zeros ("0.5").
std::string FormatNumber(double v);

}  // namespace converge::manifest

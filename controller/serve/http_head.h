// The header fields of an HTTP/1.1 message head, as both ends of our HTTP read
// them: the listener (requests) and the client (answers).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace converge::serve {

// Header fields in the order they came; names lowercased, values without the
// blanks around them.
using HeaderFields = std::vector<std::pair<std::string, std::string>>;

// `text` with ASCII letters lowercased.
std::string LowerAscii(std::string_view text);

// Appends the fields of `lines` (what follows the start line, each line starting
// with "\r\n", without the blank line that ends the head) to `fields`. False when
// a line has no name (no ':' or nothing before it).
bool ParseHeaderFields(std::string_view lines, HeaderFields& fields);

// A Content-Length value: decimal digits only, at most 18 of them; nullopt
// otherwise.
std::optional<size_t> ParseContentLength(std::string_view text);

// The value of the first field named `lower_name` (lowercase), or "".
std::string FindHeader(const HeaderFields& fields, std::string_view lower_name);

}  // namespace converge::serve

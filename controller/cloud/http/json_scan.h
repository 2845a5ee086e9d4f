// A JSON reader that drives an nlohmann SAX handler over text in memory, with
// the same events and the same verdicts as nlohmann::json::sax_parse (strict:
// one value, then only whitespace). The list sweeps read some megabytes of JSON
// per resync; nlohmann's lexer reads it a character at a time through an input
// adapter and keeps every token's text for its error messages, which was most of
// a page's parse. This reader scans spans and hands each string over whole.
//
// Same as sax_parse: RFC 8259 grammar; strings must be valid UTF-8 (no overlong
// forms, no surrogates, nothing above U+10FFFF) with no raw control characters;
// \u escapes decode to UTF-8 and a high surrogate needs its low one; integers go
// to number_integer (negative) or number_unsigned when they fit 64 bits, and
// otherwise, like every number with a fraction or an exponent, to number_float.
// Nesting depth is unbounded (an explicit stack, no recursion). On bad input it
// returns false without calling the handler's parse_error; it also stops, with
// false, when a handler method returns false. tests/fuzz checks it against the
// tree nlohmann builds from the same text.
#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

namespace converge::cloud::http {

bool ScanJson(std::string_view text, nlohmann::json_sax<nlohmann::json>* sax);

}  // namespace converge::cloud::http

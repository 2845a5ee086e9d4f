#include "serve/http_head.h"

#include <algorithm>

namespace converge::serve {
namespace {

std::string_view TrimBlanks(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

std::string LowerAscii(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

bool ParseHeaderFields(std::string_view lines, HeaderFields& fields) {
  size_t at = 0;
  while (at < lines.size()) {
    at += 2;  // past "\r\n"
    const size_t end = std::min(lines.find("\r\n", at), lines.size());
    const std::string_view field = lines.substr(at, end - at);
    const size_t colon = field.find(':');
    if (colon == 0 || colon == std::string_view::npos) return false;
    fields.emplace_back(LowerAscii(field.substr(0, colon)),
                        std::string(TrimBlanks(field.substr(colon + 1))));
    at = end;
  }
  return true;
}

std::optional<size_t> ParseContentLength(std::string_view text) {
  if (text.empty() || text.size() > 18 || text.find_first_not_of("0123456789") != text.npos) {
    return std::nullopt;
  }
  return std::stoull(std::string(text));
}

std::string FindHeader(const HeaderFields& fields, std::string_view lower_name) {
  for (const auto& [name, value] : fields) {
    if (name == lower_name) return value;
  }
  return "";
}

}  // namespace converge::serve

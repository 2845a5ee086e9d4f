#include "cloud/http/transport.h"

#include <cctype>
#include <charconv>

namespace converge::cloud::http {

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string BuildTarget(std::string_view path,
                        const std::vector<std::pair<std::string, std::string>>& query) {
  std::string out(path);
  char sep = '?';
  for (const auto& [key, value] : query) {
    out += sep;
    out += UrlEncode(key);
    out += '=';
    out += UrlEncode(value);
    sep = '&';
  }
  return out;
}

Result<Endpoint> ParseEndpoint(std::string_view text) {
  auto invalid = [text](const std::string& what) {
    Error e;
    e.category = Error::Category::kInvalid;
    e.message = "endpoint \"" + std::string(text) + "\" " + what +
                "; expected http(s)://host[:port], e.g. https://tione.tencentcloudapi.com";
    return std::unexpected(e);
  };
  Endpoint ep;
  const size_t sep = text.find("://");
  if (sep == std::string_view::npos) return invalid("has no scheme");
  ep.scheme = std::string(text.substr(0, sep));
  for (char& c : ep.scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  if (ep.scheme != "http" && ep.scheme != "https")
    return invalid("has scheme other than http/https");
  // Host names are case-insensitive; the Host header carries them in lower case.
  std::string lowered(text.substr(sep + 3));
  for (char& c : lowered) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string_view rest = lowered;
  if (!rest.empty() && rest.back() == '/') rest.remove_suffix(1);
  if (rest.find_first_of("/?#@") != std::string_view::npos) {
    return invalid("has a path, query or user info");
  }
  std::string_view host = rest;
  std::string_view port;
  bool has_port = false;
  if (!rest.empty() && rest.front() == '[') {
    const size_t close = rest.find(']');
    if (close == std::string_view::npos) return invalid("has an unterminated IPv6 address");
    host = rest.substr(1, close - 1);
    const std::string_view after = rest.substr(close + 1);
    if (!after.empty()) {
      if (after.front() != ':') return invalid("has text after the IPv6 address");
      port = after.substr(1);
      has_port = true;
    }
  } else if (const size_t colon = rest.rfind(':'); colon != std::string_view::npos) {
    host = rest.substr(0, colon);
    port = rest.substr(colon + 1);
    has_port = true;
  }
  if (host.empty()) return invalid("has no host");
  if (has_port) {
    int value = 0;
    auto [ptr, ec] = std::from_chars(port.data(), port.data() + port.size(), value);
    if (port.empty() || ec != std::errc() || ptr != port.data() + port.size() || value <= 0 ||
        value > 65535) {
      return invalid("has an invalid port");
    }
    ep.port = value;
  }
  ep.host = std::string(host);
  ep.host_header = std::string(rest);
  ep.base_url = ep.scheme + "://" + ep.host_header;
  return ep;
}

}  // namespace converge::cloud::http

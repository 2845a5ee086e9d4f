#include "manifest/constraint.h"

#include <algorithm>
#include <map>
#include <mutex>
#include <regex>
#include <string_view>

#include "manifest/message.h"

namespace converge::manifest {
namespace {

std::optional<std::string> FormatProblem(const std::string& s, Format format) {
  switch (format) {
    case Format::kNone:
      return std::nullopt;
    case Format::kDuration: {
      const auto d = ParseDuration(s);
      if (!d) return "must be a duration like \"5s\", \"1m30s\" or \"500ms\", got " + Quote(s);
      if (d->count() == 0) return "must be greater than 0, got " + Quote(s);
      return std::nullopt;
    }
    case Format::kTimeLimit: {
      static const std::regex kTime("^([0-9]{2,3}):([0-5][0-9]):([0-5][0-9])$");
      if (s == "unlimited") return std::nullopt;
      if (!std::regex_match(s, kTime)) {
        return "must be HH:MM:SS (minutes and seconds below 60) or \"unlimited\", got " + Quote(s);
      }
      if (s.find_first_not_of("0:") == std::string::npos) {
        return "must be longer than 00:00:00; use \"unlimited\" for no limit";
      }
      return std::nullopt;
    }
    case Format::kHttpUrl: {
      // Never echoes the value: a URL may carry credentials.
      std::string_view rest;
      if (s.starts_with("https://")) {
        rest = std::string_view(s).substr(8);
      } else if (s.starts_with("http://")) {
        rest = std::string_view(s).substr(7);
      } else {
        return "must be an http:// or https:// URL, e.g. https://api.example.com:443";
      }
      const std::string_view authority = rest.substr(0, rest.find('/'));
      if (authority.find('@') != std::string_view::npos) {
        return "must not contain credentials (user:password@); put secrets in token, secretId or "
               "secretKey";
      }
      static const std::regex kAuthority(
          "^([A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*"
          "|\\[[0-9A-Fa-f:.]+\\])(:([0-9]{1,5}))?$");
      std::smatch m;
      const std::string auth(authority);
      if (!std::regex_match(auth, m, kAuthority)) {
        return "must be an http:// or https:// URL with a valid host, e.g. "
               "https://api.example.com:443";
      }
      if (m[6].matched) {
        const int port = std::stoi(m[6].str());
        if (port < 1 || port > 65535) {
          return "port must be between 1 and 65535, got " + std::to_string(port);
        }
      }
      if (s.find_first_of("?# \t") != std::string::npos) {
        return "must not contain a query, fragment or spaces";
      }
      return std::nullopt;
    }
    case Format::kAbsolutePath:
      if (!s.starts_with("/")) {
        return "must be an absolute path (starting with \"/\"), got " + Quote(s);
      }
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> StringProblem(const std::string& s, const Field& f, bool sensitive) {
  if (!f.const_value.empty() && s != f.const_value) {
    return "must be \"" + f.const_value + "\", got " + Quote(s);
  }
  if (!f.enum_values.empty() &&
      std::find(f.enum_values.begin(), f.enum_values.end(), s) == f.enum_values.end()) {
    const std::string guess = ClosestMatch(s, f.enum_values);
    return "must be one of " + Join(f.enum_values, ", ") + ", got " + Quote(s) +
           (guess.empty() ? "" : " (did you mean \"" + guess + "\"?)");
  }
  if (f.min_length && s.size() < static_cast<size_t>(*f.min_length)) return "must not be empty";
  if (f.max_length && s.size() > static_cast<size_t>(*f.max_length)) {
    return "must be at most " + std::to_string(*f.max_length) + " characters, got " +
           std::to_string(s.size());
  }
  if (!f.pattern.empty() && !MatchesPattern(s, f.pattern)) {
    return f.pattern_message + (sensitive ? "" : ", got " + Quote(s));
  }
  return FormatProblem(s, f.format);
}

std::optional<std::string> RangeProblem(double v, const Field& f) {
  const std::string got = ", got " + FormatNumber(v);
  const bool below = f.minimum && (f.exclusive_minimum ? v <= *f.minimum : v < *f.minimum);
  const bool above = f.maximum && v > *f.maximum;
  if (!below && !above) return std::nullopt;
  if (f.exclusive_minimum) {
    return "must be greater than " + FormatNumber(*f.minimum) +
           (f.maximum ? " and at most " + FormatNumber(*f.maximum) : "") + got;
  }
  if (f.minimum && f.maximum) {
    return "must be between " + FormatNumber(*f.minimum) + " and " + FormatNumber(*f.maximum) + got;
  }
  if (f.minimum) return "must be at least " + FormatNumber(*f.minimum) + got;
  return "must be at most " + FormatNumber(*f.maximum) + got;
}

bool MatchesPattern(const std::string& value, const std::string& pattern) {
  // Files are decoded on several threads (loader.h): the cache is shared, its
  // entries are never removed, and a const std::regex may be used concurrently.
  static std::mutex* mutex = new std::mutex();
  static std::map<std::string, std::regex>* cache = new std::map<std::string, std::regex>();
  const std::regex* regex = nullptr;
  {
    std::lock_guard lock(*mutex);
    auto it = cache->find(pattern);
    if (it == cache->end()) it = cache->emplace(pattern, std::regex(pattern)).first;
    regex = &it->second;
  }
  return std::regex_search(value, *regex);
}

}  // namespace converge::manifest

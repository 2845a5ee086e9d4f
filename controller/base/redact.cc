#include "base/redact.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <mutex>
#include <set>
#include <shared_mutex>

namespace converge {
namespace {

std::shared_mutex& Mu() {
  static std::shared_mutex mu;
  return mu;
}

// Longest first, so a secret that contains another is masked whole.
struct LongerFirst {
  bool operator()(const std::string& a, const std::string& b) const {
    return a.size() != b.size() ? a.size() > b.size() : a < b;
  }
};

std::set<std::string, LongerFirst>& Secrets() {
  static std::set<std::string, LongerFirst> secrets;
  return secrets;
}

void ReplaceAll(std::string& text, std::string_view needle) {
  size_t pos = 0;
  while ((pos = text.find(needle, pos)) != std::string::npos) {
    text.replace(pos, needle.size(), kRedacted);
    pos += kRedacted.size();
  }
}

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

// Masks the value that follows `key` up to the end of the line (header style
// `key: value`) for every case-insensitive occurrence of `key` at a line start.
void MaskHeaderValues(std::string& text, std::string_view key) {
  size_t line_start = 0;
  while (line_start < text.size()) {
    size_t line_end = text.find('\n', line_start);
    if (line_end == std::string::npos) line_end = text.size();
    std::string_view line(text.data() + line_start, line_end - line_start);
    size_t lead = 0;
    while (lead < line.size() && (line[lead] == ' ' || line[lead] == '\t')) ++lead;
    if (line.size() > lead + key.size() && IEquals(line.substr(lead, key.size()), key) &&
        line[lead + key.size()] == ':') {
      const size_t value_start = line_start + lead + key.size() + 1;
      text.replace(value_start, line_end - value_start, std::string(" ") + std::string(kRedacted));
      line_end = value_start + 1 + kRedacted.size();
    }
    line_start = line_end + 1;
  }
}

// Masks JSON string values of `"key":"value"` (whitespace allowed around the colon).
void MaskJsonValues(std::string& text, std::string_view key) {
  const std::string quoted = "\"" + std::string(key) + "\"";
  size_t pos = 0;
  while ((pos = text.find(quoted, pos)) != std::string::npos) {
    size_t i = pos + quoted.size();
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != ':') {
      pos = i;
      continue;
    }
    ++i;
    while (i < text.size() && std::isspace(static_cast<unsigned char>(text[i]))) ++i;
    if (i >= text.size() || text[i] != '"') {
      pos = i;
      continue;
    }
    size_t end = i + 1;
    while (end < text.size() && text[end] != '"') end += (text[end] == '\\') ? 2 : 1;
    end = std::min(end, text.size());
    text.replace(i + 1, end - i - 1, kRedacted);
    pos = i + 1 + kRedacted.size();
  }
}

// Masks `Signature=<hex>` as found in TC3 Authorization values.
void MaskSignatures(std::string& text) {
  static constexpr std::string_view kKey = "Signature=";
  size_t pos = 0;
  while ((pos = text.find(kKey, pos)) != std::string::npos) {
    size_t start = pos + kKey.size();
    size_t end = start;
    while (end < text.size() && std::isxdigit(static_cast<unsigned char>(text[end]))) ++end;
    if (end > start) text.replace(start, end - start, kRedacted);
    pos = start + kRedacted.size();
  }
}

}  // namespace

void RegisterSecret(std::string_view value) {
  if (value.size() < 4) return;
  std::unique_lock lock(Mu());
  Secrets().emplace(value);
}

std::string Redact(std::string_view text) {
  std::string out(text);
  {
    std::shared_lock lock(Mu());
    for (const auto& secret : Secrets()) ReplaceAll(out, secret);
  }
  for (std::string_view key : {"Authorization", "token"}) MaskHeaderValues(out, key);
  for (std::string_view key :
       {"token", "sshPassword", "SecretKey", "secretKey", "password", "Authorization"}) {
    MaskJsonValues(out, key);
  }
  MaskSignatures(out);
  return out;
}

void ClearSecretsForTesting() {
  std::unique_lock lock(Mu());
  Secrets().clear();
}

}  // namespace converge

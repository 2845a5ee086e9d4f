#include "request_text.h"

#include <algorithm>
#include <cctype>

#include "cloud/tione/tc3_signer.h"
#include "sim/simulator.h"

namespace converge::fuzz {

namespace {

std::string_view NextLine(std::string_view& text) {
  const size_t end = text.find('\n');
  std::string_view line = text.substr(0, end);
  text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  return line;
}

sim::Request ParseOne(std::string_view text) {
  sim::Request r;
  std::string_view start = NextLine(text);
  const size_t space = start.find(' ');
  r.method = std::string(start.substr(0, space));
  std::string_view target =
      space == std::string_view::npos ? std::string_view("/") : start.substr(space + 1);
  const size_t question = target.find('?');
  r.path = std::string(target.substr(0, question));
  if (r.path.empty() || r.path.front() != '/') r.path = "/" + r.path;
  if (question != std::string_view::npos) {
    std::string_view query = target.substr(question + 1);
    while (!query.empty()) {
      const size_t amp = query.find('&');
      std::string_view item = query.substr(0, amp);
      query.remove_prefix(amp == std::string_view::npos ? query.size() : amp + 1);
      const size_t eq = item.find('=');
      r.query[std::string(item.substr(0, eq))] =
          eq == std::string_view::npos ? "" : std::string(item.substr(eq + 1));
    }
  }
  while (!text.empty()) {
    std::string_view line = NextLine(text);
    if (line.empty()) break;
    const size_t colon = line.find(':');
    if (colon == std::string_view::npos) continue;
    std::string name(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.headers[name] = sim::Trim(std::string(line.substr(colon + 1)));
  }
  r.body = std::string(text);
  return r;
}

}  // namespace

std::vector<sim::Request> ParseRequests(std::string_view text, size_t max_requests) {
  std::vector<sim::Request> requests;
  constexpr std::string_view kSeparator = "\n----\n";
  while (requests.size() < max_requests) {
    const size_t end = text.find(kSeparator);
    requests.push_back(ParseOne(text.substr(0, end)));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + kSeparator.size());
  }
  return requests;
}

void SignWithTestKeys(sim::Request& r, const std::string& signed_headers, int64_t timestamp) {
  r.headers["x-tc-timestamp"] = std::to_string(timestamp);
  cloud::tione::Tc3Input in;
  in.secret_id = sim::kTestSecretId;
  in.secret_key = sim::kTestSecretKey;
  in.host = r.Header("host");
  in.service = sim::kTioneService;
  in.action = r.Header("x-tc-action");
  in.content_type = r.Header("content-type");
  in.payload = r.body;
  in.timestamp = timestamp;
  in.sign_action_header = signed_headers == "content-type;host;x-tc-action";
  r.headers["authorization"] = cloud::tione::SignTc3(in).authorization;
}

}  // namespace converge::fuzz

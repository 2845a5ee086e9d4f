// The simulator on the wire: an HTTP request from serve::HttpListener decoded
// into a sim::Request, and an Answer sent back with its delivery fault.
#include <optional>
#include <string>

#include "sim/simulator_impl.h"

namespace converge::sim {
namespace {

int HexDigitValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// `text` with every %XX replaced by its byte ('+' stays); nullopt when a '%' is
// not followed by two hexadecimal digits.
std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    const int high = i + 2 < text.size() ? HexDigitValue(text[i + 1]) : -1;
    const int low = high < 0 ? -1 : HexDigitValue(text[i + 2]);
    if (low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

serve::HttpResponse JsonAnswer(int status, std::string body) {
  return serve::HttpResponse::Text(status, std::move(body), "application/json");
}

serve::HttpResponse ErrorAnswer(int status, const std::string& message) {
  return JsonAnswer(status, AnswerText(json({{"error", message}})));
}

}  // namespace

serve::HttpResponse Simulator::Impl::Handle(const serve::HttpRequest& req) {
  ++in_flight_;
  struct Leaving {
    std::atomic<int>& count;
    ~Leaving() { --count; }
  } leaving{in_flight_};
  try {
    if (req.body_too_large) {
      return ErrorAnswer(413, "request bodies over " +
                                  std::to_string(kListenerLimits.max_body >> 20) +
                                  " MiB are refused");
    }
    Request r;
    r.arrived = clock_->Now();
    r.method = req.method;
    std::optional<std::string> path = PercentDecode(req.path);
    if (!path) {
      return ErrorAnswer(400, "the request path has a '%' without two hexadecimal digits after it");
    }
    r.path = std::move(*path);
    // A repeated key (SCNet's ids=A&ids=B) arrives comma-joined.
    for (size_t at = 0; at < req.query.size();) {
      size_t amp = req.query.find('&', at);
      if (amp == std::string::npos) amp = req.query.size();
      const std::string_view pair = std::string_view(req.query).substr(at, amp - at);
      at = amp + 1;
      if (pair.empty()) continue;
      const size_t eq = pair.find('=');
      std::optional<std::string> key = PercentDecode(pair.substr(0, eq));
      std::optional<std::string> value =
          eq == std::string_view::npos ? std::string() : PercentDecode(pair.substr(eq + 1));
      if (!key || !value) {
        return ErrorAnswer(400,
                           "the request query has a '%' without two hexadecimal digits after it");
      }
      std::string& joined = r.query[*key];
      joined += (joined.empty() ? "" : ",") + *value;
    }
    // A repeated header arrives comma-joined, as HTTP allows.
    for (const auto& [name, value] : req.headers) {
      auto [it, added] = r.headers.try_emplace(name, value);
      if (!added) it->second += ", " + value;
    }
    r.body = req.body;
    return Deliver(Dispatch(r));
  } catch (const std::exception& e) {
    return ErrorAnswer(500, std::string("simulator failure: ") + e.what());
  }
}

serve::HttpResponse Simulator::Impl::Deliver(const Answer& answer) {
  switch (answer.delivery) {
    case FaultMode::kMalformed:
      return JsonAnswer(answer.status, answer.body.substr(0, answer.body.size() / 2));
    case FaultMode::kDrop: {
      // Announce the full length, send half, close: the client's read fails mid-body.
      serve::HttpResponse response =
          JsonAnswer(answer.status, answer.body.substr(0, answer.body.size() / 2));
      response.announced_length = answer.body.size();
      return response;
    }
    case FaultMode::kHang: {
      std::unique_lock lock(pause_mu_);
      pause_cv_.wait(lock, [this] { return stopping_.load(); });
      return serve::HttpResponse::Text(503, "", "");
    }
    default:
      return JsonAnswer(answer.status, answer.body);
  }
}

}  // namespace converge::sim

#include "sim/faults.h"

#include <charconv>

namespace converge::sim {

std::string FaultModeName(FaultMode mode) {
  switch (mode) {
    case FaultMode::kNone:
      return "none";
    case FaultMode::kError:
      return "error";
    case FaultMode::kLatency:
      return "latency";
    case FaultMode::kMalformed:
      return "malformed";
    case FaultMode::kDrop:
      return "drop";
    case FaultMode::kHang:
      return "hang";
  }
  return "none";
}

namespace {

bool ParseMode(const std::string& name, FaultMode* mode) {
  for (FaultMode m : {FaultMode::kError, FaultMode::kLatency, FaultMode::kMalformed,
                      FaultMode::kDrop, FaultMode::kHang}) {
    if (FaultModeName(m) == name) {
      *mode = m;
      return true;
    }
  }
  return false;
}

// "200", "200ms", "1s", "1.5s" -> milliseconds.
bool ParseMillis(std::string text, int64_t* out) {
  double scale = 1;
  if (text.ends_with("ms")) {
    text.resize(text.size() - 2);
  } else if (text.ends_with("s")) {
    text.resize(text.size() - 1);
    scale = 1000;
  }
  double value = 0;
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || ptr != text.data() + text.size() || value < 0) return false;
  *out = static_cast<int64_t>(value * scale);
  return true;
}

bool ParseDouble(const std::string& text, double* out) {
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && ptr == text.data() + text.size();
}

}  // namespace

Result<FaultRule> ParseFaultRule(const nlohmann::json& j) {
  if (!j.is_object()) {
    return std::unexpected(Error::InvalidArgument("a fault rule must be a JSON object"));
  }
  FaultRule r;
  for (const auto& [key, value] : j.items()) {
    if (key == "cloud") {
      if (!value.is_string() || (value != "scnet" && value != "tione" && value != "*")) {
        return std::unexpected(Error::InvalidArgument(
            "fault rule field \"cloud\" must be \"scnet\", \"tione\" or \"*\""));
      }
      r.cloud = value.get<std::string>();
    } else if (key == "operation") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        return std::unexpected(
            Error::InvalidArgument("fault rule field \"operation\" must be a non-empty string"));
      }
      r.operation = value.get<std::string>();
    } else if (key == "mode") {
      if (!value.is_string() || !ParseMode(value.get<std::string>(), &r.mode)) {
        return std::unexpected(Error::InvalidArgument(
            "fault rule field \"mode\" must be one of error, latency, malformed, drop, hang"));
      }
    } else if (key == "rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
        return std::unexpected(
            Error::InvalidArgument("fault rule field \"rate\" must be a number between 0 and 1"));
      }
      r.rate = value.get<double>();
    } else if (key == "latency_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        return std::unexpected(Error::InvalidArgument(
            "fault rule field \"latency_ms\" must be a non-negative integer"));
      }
      r.latency_ms = value.get<int64_t>();
    } else if (key == "times") {
      if (!value.is_number_integer() || value.get<int64_t>() < -1) {
        return std::unexpected(Error::InvalidArgument(
            "fault rule field \"times\" must be an integer >= -1 (-1 = unlimited)"));
      }
      r.times = value.get<int64_t>();
    } else {
      return std::unexpected(
          Error::InvalidArgument("unknown fault rule field \"" + key +
                                 "\" (known: cloud, operation, mode, rate, latency_ms, times)"));
    }
  }
  if (!j.contains("mode")) {
    return std::unexpected(Error::InvalidArgument(
        "fault rule needs a \"mode\" (error, latency, malformed, drop, hang)"));
  }
  if (r.mode == FaultMode::kLatency && !j.contains("latency_ms")) r.latency_ms = 100;
  return r;
}

nlohmann::json FaultRuleToJson(const FaultRule& r) {
  nlohmann::json j = {{"cloud", r.cloud},
                      {"operation", r.operation},
                      {"mode", FaultModeName(r.mode)},
                      {"rate", r.rate},
                      {"times", r.times}};
  if (r.mode == FaultMode::kLatency) j["latency_ms"] = r.latency_ms;
  return j;
}

Status FaultSet::Set(const nlohmann::json& config) {
  const nlohmann::json* rules = &config;
  if (config.is_null() || (config.is_object() && config.empty())) {
    rules_.clear();
    return {};
  }
  if (config.is_object()) {
    if (!config.contains("rules") || config.size() != 1) {
      return std::unexpected(
          Error::InvalidArgument("fault config must be {\"rules\":[...]} or an array of rules"));
    }
    rules = &config["rules"];
  }
  if (!rules->is_array()) {
    return std::unexpected(Error::InvalidArgument("fault config \"rules\" must be an array"));
  }
  std::vector<FaultRule> parsed;
  for (size_t i = 0; i < rules->size(); ++i) {
    auto rule = ParseFaultRule((*rules)[i]);
    if (!rule) {
      return std::unexpected(
          Error::InvalidArgument("fault rule " + std::to_string(i) + ": " + rule.error().message));
    }
    parsed.push_back(*rule);
  }
  rules_ = std::move(parsed);
  return {};
}

nlohmann::json FaultSet::ToJson() const {
  nlohmann::json rules = nlohmann::json::array();
  for (const auto& r : rules_) rules.push_back(FaultRuleToJson(r));
  return {{"rules", rules}};
}

FaultDecision FaultSet::Decide(const std::string& cloud, const std::string& operation,
                               Random& random) {
  FaultDecision d;
  for (auto& r : rules_) {
    if (r.times == 0) continue;
    if (r.cloud != "*" && r.cloud != cloud) continue;
    if (r.operation != "*" && r.operation != operation) continue;
    if (r.mode != FaultMode::kLatency && d.mode != FaultMode::kNone) continue;
    const bool fires = r.rate >= 1.0 || (r.rate > 0 && random.Uniform() < r.rate);
    if (!fires) continue;
    if (r.times > 0) --r.times;
    if (r.mode == FaultMode::kLatency) {
      d.latency += std::chrono::milliseconds(r.latency_ms);
    } else {
      d.mode = r.mode;
    }
  }
  return d;
}

Result<nlohmann::json> ParseFaultSpec(const std::string& spec) {
  const std::string help =
      " (expected [CLOUD/]OPERATION:MODE[:VALUE[:TIMES]], e.g. CreateContainerInstance:drop, "
      "tione/*:error:0.5, *:latency:200ms)";
  if (!spec.empty() && spec.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(spec, nullptr, false);
    if (j.is_discarded()) {
      return std::unexpected(Error::InvalidArgument("fault spec is not valid JSON: " + spec));
    }
    auto r = ParseFaultRule(j);
    if (!r) return std::unexpected(std::move(r.error()));
    return FaultRuleToJson(*r);
  }
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = spec.find(':', start);
    parts.push_back(spec.substr(start, colon == std::string::npos ? colon : colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  if (parts.size() < 2 || parts.size() > 4 || parts[0].empty()) {
    return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec + "\"" + help));
  }
  FaultRule r;
  std::string op = parts[0];
  if (auto slash = op.find('/'); slash != std::string::npos) {
    r.cloud = op.substr(0, slash);
    op = op.substr(slash + 1);
    if (r.cloud != "scnet" && r.cloud != "tione") {
      return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec +
                                                    "\": cloud must be scnet or tione" + help));
    }
  }
  r.operation = op.empty() ? "*" : op;
  if (!ParseMode(parts[1], &r.mode)) {
    return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec +
                                                  "\": unknown mode \"" + parts[1] +
                                                  "\" (error, latency, malformed, drop, hang)"));
  }
  if (parts.size() >= 3 && !parts[2].empty()) {
    if (r.mode == FaultMode::kLatency) {
      if (!ParseMillis(parts[2], &r.latency_ms)) {
        return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec +
                                                      "\": latency \"" + parts[2] +
                                                      "\" is not a duration like 200ms or 1s"));
      }
    } else if (!ParseDouble(parts[2], &r.rate) || r.rate < 0 || r.rate > 1) {
      return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec + "\": rate \"" +
                                                    parts[2] +
                                                    "\" must be a number between 0 and 1"));
    }
  } else if (r.mode == FaultMode::kLatency) {
    r.latency_ms = 100;
  }
  if (parts.size() == 4) {
    double times = 0;
    if (!ParseDouble(parts[3], &times) || times < 1 || times != static_cast<int64_t>(times)) {
      return std::unexpected(Error::InvalidArgument("bad fault spec \"" + spec + "\": times \"" +
                                                    parts[3] + "\" must be a positive integer"));
    }
    r.times = static_cast<int64_t>(times);
  }
  return FaultRuleToJson(r);
}

}  // namespace converge::sim

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

bool ParseFaultRule(const nlohmann::json& j, FaultRule* rule, std::string* error) {
  if (!j.is_object()) {
    *error = "a fault rule must be a JSON object";
    return false;
  }
  FaultRule r;
  for (const auto& [key, value] : j.items()) {
    if (key == "cloud") {
      if (!value.is_string() || (value != "scnet" && value != "tione" && value != "*")) {
        *error = "fault rule field \"cloud\" must be \"scnet\", \"tione\" or \"*\"";
        return false;
      }
      r.cloud = value.get<std::string>();
    } else if (key == "operation") {
      if (!value.is_string() || value.get<std::string>().empty()) {
        *error = "fault rule field \"operation\" must be a non-empty string";
        return false;
      }
      r.operation = value.get<std::string>();
    } else if (key == "mode") {
      if (!value.is_string() || !ParseMode(value.get<std::string>(), &r.mode)) {
        *error = "fault rule field \"mode\" must be one of error, latency, malformed, drop, hang";
        return false;
      }
    } else if (key == "rate") {
      if (!value.is_number() || value.get<double>() < 0 || value.get<double>() > 1) {
        *error = "fault rule field \"rate\" must be a number between 0 and 1";
        return false;
      }
      r.rate = value.get<double>();
    } else if (key == "latency_ms") {
      if (!value.is_number_integer() || value.get<int64_t>() < 0) {
        *error = "fault rule field \"latency_ms\" must be a non-negative integer";
        return false;
      }
      r.latency_ms = value.get<int64_t>();
    } else if (key == "times") {
      if (!value.is_number_integer() || value.get<int64_t>() < -1) {
        *error = "fault rule field \"times\" must be an integer >= -1 (-1 = unlimited)";
        return false;
      }
      r.times = value.get<int64_t>();
    } else {
      *error = "unknown fault rule field \"" + key +
               "\" (known: cloud, operation, mode, rate, latency_ms, times)";
      return false;
    }
  }
  if (!j.contains("mode")) {
    *error = "fault rule needs a \"mode\" (error, latency, malformed, drop, hang)";
    return false;
  }
  if (r.mode == FaultMode::kLatency && !j.contains("latency_ms")) r.latency_ms = 100;
  *rule = r;
  return true;
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

bool FaultSet::Set(const nlohmann::json& config, std::string* error) {
  const nlohmann::json* rules = &config;
  if (config.is_null() || (config.is_object() && config.empty())) {
    rules_.clear();
    return true;
  }
  if (config.is_object()) {
    if (!config.contains("rules") || config.size() != 1) {
      *error = "fault config must be {\"rules\":[...]} or an array of rules";
      return false;
    }
    rules = &config["rules"];
  }
  if (!rules->is_array()) {
    *error = "fault config \"rules\" must be an array";
    return false;
  }
  std::vector<FaultRule> parsed;
  for (size_t i = 0; i < rules->size(); ++i) {
    FaultRule rule;
    std::string why;
    if (!ParseFaultRule((*rules)[i], &rule, &why)) {
      *error = "fault rule " + std::to_string(i) + ": " + why;
      return false;
    }
    parsed.push_back(rule);
  }
  rules_ = std::move(parsed);
  return true;
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

bool ParseFaultSpec(const std::string& spec, nlohmann::json* rule, std::string* error) {
  const std::string help =
      " (expected [CLOUD/]OPERATION:MODE[:VALUE[:TIMES]], e.g. CreateContainerInstance:drop, "
      "tione/*:error:0.5, *:latency:200ms)";
  if (!spec.empty() && spec.front() == '{') {
    nlohmann::json j = nlohmann::json::parse(spec, nullptr, false);
    if (j.is_discarded()) {
      *error = "fault spec is not valid JSON: " + spec;
      return false;
    }
    FaultRule r;
    if (!ParseFaultRule(j, &r, error)) return false;
    *rule = FaultRuleToJson(r);
    return true;
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
    *error = "bad fault spec \"" + spec + "\"" + help;
    return false;
  }
  FaultRule r;
  std::string op = parts[0];
  if (auto slash = op.find('/'); slash != std::string::npos) {
    r.cloud = op.substr(0, slash);
    op = op.substr(slash + 1);
    if (r.cloud != "scnet" && r.cloud != "tione") {
      *error = "bad fault spec \"" + spec + "\": cloud must be scnet or tione" + help;
      return false;
    }
  }
  r.operation = op.empty() ? "*" : op;
  if (!ParseMode(parts[1], &r.mode)) {
    *error = "bad fault spec \"" + spec + "\": unknown mode \"" + parts[1] +
             "\" (error, latency, malformed, drop, hang)";
    return false;
  }
  if (parts.size() >= 3 && !parts[2].empty()) {
    if (r.mode == FaultMode::kLatency) {
      if (!ParseMillis(parts[2], &r.latency_ms)) {
        *error = "bad fault spec \"" + spec + "\": latency \"" + parts[2] +
                 "\" is not a duration like 200ms or 1s";
        return false;
      }
    } else if (!ParseDouble(parts[2], &r.rate) || r.rate < 0 || r.rate > 1) {
      *error = "bad fault spec \"" + spec + "\": rate \"" + parts[2] +
               "\" must be a number between 0 and 1";
      return false;
    }
  } else if (r.mode == FaultMode::kLatency) {
    r.latency_ms = 100;
  }
  if (parts.size() == 4) {
    double times = 0;
    if (!ParseDouble(parts[3], &times) || times < 1 || times != static_cast<int64_t>(times)) {
      *error =
          "bad fault spec \"" + spec + "\": times \"" + parts[3] + "\" must be a positive integer";
      return false;
    }
    r.times = static_cast<int64_t>(times);
  }
  *rule = FaultRuleToJson(r);
  return true;
}

}  // namespace converge::sim

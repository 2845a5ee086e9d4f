// Fault injection rules for the simulator, and the --fault SPEC syntax of `converge sim`.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "base/random.h"
#include "base/result.h"

namespace converge::sim {

enum class FaultMode {
  kNone,
  kError,      // the cloud's internal error; nothing is applied
  kLatency,    // the answer is delayed by latency_ms
  kMalformed,  // applied; the answer is truncated, unparseable JSON with HTTP 200
  kDrop,       // applied ("commit then drop"); the connection closes mid-answer
  kHang,       // applied; no answer at all until the client gives up
};

struct FaultRule {
  std::string cloud = "*";      // scnet | tione | *
  std::string operation = "*";  // an operation name (see README) or *
  FaultMode mode = FaultMode::kError;
  double rate = 1.0;       // probability per matching call
  int64_t latency_ms = 0;  // kLatency only
  int64_t times = -1;      // fire at most this many times; -1 = unlimited
};

struct FaultDecision {
  std::chrono::milliseconds latency{0};
  FaultMode mode = FaultMode::kNone;  // kError / kMalformed / kDrop / kHang / kNone
};

std::string FaultModeName(FaultMode mode);

// Not thread-safe; the simulator serializes access.
class FaultSet {
 public:
  // Accepts {"rules":[rule...]}, a bare array of rules, or null/{} (no faults).
  // A rule: {"cloud","operation","mode","rate","latency_ms","times"}.
  // kInvalidArgument naming the rule and field when invalid; the rules are then
  // unchanged.
  Status Set(const nlohmann::json& config);
  nlohmann::json ToJson() const;
  // Draws for every matching rule; latencies add up, the first firing
  // error/malformed/drop/hang rule decides the mode.
  FaultDecision Decide(const std::string& cloud, const std::string& operation, Random& random);

 private:
  std::vector<FaultRule> rules_;
};

// kInvalidArgument naming the field when `j` is not a valid rule.
Result<FaultRule> ParseFaultRule(const nlohmann::json& j);
nlohmann::json FaultRuleToJson(const FaultRule& rule);

// Parses one --fault SPEC into a fault rule (the JSON shape POST /_sim/faults takes
// in "rules"): "[CLOUD/]OPERATION:MODE[:VALUE[:TIMES]]", e.g.
// "CreateContainerInstance:drop", "tione/*:error:0.5", "*:latency:200ms". A SPEC starting
// with '{' is taken as a JSON rule. kInvalidArgument (with the expected syntax)
// when malformed.
Result<nlohmann::json> ParseFaultSpec(const std::string& spec);

}  // namespace converge::sim

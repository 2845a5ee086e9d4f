// Fuzz target: the simulator's request handling (sim::Simulator::Dispatch, what
// the listener calls for each request) on up to 16 requests in the text form of
// request_text.h, in order, against a fresh simulator on a simulated clock (no
// socket, no real waiting). Two target-only headers: `x-fuzz-sign:
// content-type;host[;x-tc-action]` signs a TI-ONE request with the simulator's
// test credentials at the simulated time (see tc3_verify_fuzz.cc), and
// `x-fuzz-advance: SECONDS` (0..86400) moves the clock first, so lifecycles move
// on. Every answer must be JSON and no request may make the simulator fail
// internally (HTTP 500 "simulator failure").
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "fuzz_check.h"
#include "request_text.h"
#include "sim/simulator.h"

namespace {

using converge::sim::Request;

// SECONDS of an x-fuzz-advance header; 0 when absent or not in 0..86400.
int Advance(const Request& r) {
  const std::string text = r.Header("x-fuzz-advance");
  if (text.empty() || text.size() > 5 ||
      text.find_first_not_of("0123456789") != std::string::npos) {
    return 0;
  }
  const int seconds = std::stoi(text);
  return seconds <= 86400 ? seconds : 0;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  converge::SimulatedClock clock;
  converge::sim::SimOptions options;
  options.address = "127.0.0.1:0";
  options.clock = &clock;
  options.random_seed = 1;
  converge::sim::Simulator simulator(options);
  // Never started; stopped so that an injected latency returns at once.
  simulator.Stop();
  for (Request r : converge::fuzz::ParseRequests(text, 16)) {
    clock.Advance(std::chrono::seconds(Advance(r)));
    r.headers.erase("x-fuzz-advance");
    const std::string sign = r.Header("x-fuzz-sign");
    r.headers.erase("x-fuzz-sign");
    if (sign == "content-type;host" || sign == "content-type;host;x-tc-action") {
      converge::fuzz::SignWithTestKeys(r, sign,
           std::chrono::duration_cast<std::chrono::seconds>(clock.WallNow().time_since_epoch())
               .count());
    }
    const converge::sim::Answer answer = simulator.Dispatch(r);
    const nlohmann::json body = nlohmann::json::parse(answer.body, nullptr, false);
    FUZZ_CHECK(!body.is_discarded(), "every answer is JSON");
    if (answer.status == 500 && answer.body.find("simulator failure") != std::string::npos) {
      std::fprintf(stderr, "%s %s -> %s\n", r.method.c_str(), r.path.c_str(), answer.body.c_str());
    }
    FUZZ_CHECK(answer.status != 500 || answer.body.find("simulator failure") == std::string::npos,
               "no request makes the simulator fail internally");
    FUZZ_CHECK(answer.status >= 200 && answer.status < 600, "the answer has an HTTP status");
  }
  return 0;
}

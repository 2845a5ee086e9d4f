// A decoded HTTP request to the simulator and its answer before delivery:
// what Simulator::Dispatch maps one to the other, with no socket involved.
#pragma once

#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "sim/faults.h"

namespace converge::sim {

// A decoded HTTP request.
struct Request {
  std::string method;
  std::string path;  // percent-decoded, starting with '/'
  std::map<std::string, std::string> query;
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  // When the request arrived (before it waited for the body or the simulator's lock).
  SteadyTime arrived{};

  std::string Header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// The answer to one request (always a JSON body). `delivery` is the injected
// fault the listener applies when sending it: kMalformed (half the body), kDrop
// (half the body, then the connection closes), kHang (no answer); kNone otherwise.
struct Answer {
  int status = 200;
  std::string body;
  FaultMode delivery = FaultMode::kNone;
};

// The JSON text of an answer body, keys in the order the simulator put them (as
// the clouds send them). Strings a request put there (a path, a header,
// a name) may hold bytes that are not UTF-8: each becomes U+FFFD instead of
// making the answer fail.
std::string AnswerText(const nlohmann::ordered_json& body);

// `s` without leading and trailing spaces and tabs.
std::string Trim(const std::string& s);

}  // namespace converge::sim

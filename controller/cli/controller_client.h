// How the commands that talk to a running controller (`status`, `reconcile`)
// reach its --metrics-addr: one HTTP request, bounded in time.
#pragma once

#include <string>

#include "base/result.h"

namespace converge::cli {

struct ControllerAnswer {
  int status = 0;
  std::string body;
};

// `method` ("GET", "POST") `path` on http://ADDR; `body` is sent as JSON when
// not empty. Any HTTP answer is a value; kUnavailable (retryable) says the
// controller could not be reached and what to check; `command` names the caller
// in it ("converge status").
Result<ControllerAnswer> CallController(const std::string& command, const std::string& addr,
                                        const std::string& method, const std::string& path,
                                        const std::string& body = "");

}  // namespace converge::cli

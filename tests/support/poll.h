// Waiting for an event that has no signal of its own (another process's state,
// a request in flight on a server thread): poll a predicate until it holds or
// a deadline passes. Never a bare sleep.
#pragma once

#include <chrono>
#include <functional>

namespace converge::test_support {

// Polls `condition` every `interval` until it is true or `timeout` has passed;
// returns its last value.
bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
             std::chrono::milliseconds interval = std::chrono::milliseconds(100));

}  // namespace converge::test_support

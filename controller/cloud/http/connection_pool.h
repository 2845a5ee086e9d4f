// The idle keep-alive connections of one transport.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "cloud/http/connection.h"

namespace converge::cloud::http {

class ConnectionPool {
 public:
  // Keeps at most `max_idle` connections, none idle for longer than `max_age`.
  ConnectionPool(size_t max_idle, std::chrono::milliseconds max_age)
      : max_idle_(max_idle), max_age_(max_age) {}

  // The most recently returned connection that is still open and young enough, or
  // nullptr; the others it passes over are closed. Thread-safe.
  std::unique_ptr<Connection> Take();
  // Keeps `connection` for reuse, closing the oldest one when the pool is full.
  // Thread-safe.
  void Put(std::unique_ptr<Connection> connection);

 private:
  const size_t max_idle_;
  const std::chrono::milliseconds max_age_;
  std::mutex mu_;
  std::vector<std::unique_ptr<Connection>> idle_;  // oldest first
};

}  // namespace converge::cloud::http

// Randomness as a seam, so jitter is testable with a pinned value.
#pragma once

#include <cstdint>
#include <mutex>
#include <random>

namespace converge {

// Thread-safe source of uniformly distributed 64-bit values.
class Random {
 public:
  virtual ~Random() = default;
  virtual uint64_t Next() = 0;
  // Uniform in [0, 1).
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }
};

class RealRandom : public Random {
 public:
  RealRandom() : engine_(std::random_device{}()) {}
  explicit RealRandom(uint64_t seed) : engine_(seed) {}
  uint64_t Next() override {
    std::lock_guard lock(mu_);
    return engine_();
  }

 private:
  std::mutex mu_;
  std::mt19937_64 engine_;
};

// Always returns the same value; for tests.
class PinnedRandom : public Random {
 public:
  explicit PinnedRandom(uint64_t value) : value_(value) {}
  uint64_t Next() override { return value_; }

 private:
  uint64_t value_;
};

}  // namespace converge

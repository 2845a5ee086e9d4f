#include "base/backoff.h"

#include <algorithm>

namespace converge {

std::chrono::milliseconds Backoff::Ceiling() const {
  // Doubling saturates long before 2^40 for any sensible base.
  const int shift = std::min(attempt_, 40);
  const double ceiling = static_cast<double>(base_.count()) * static_cast<double>(1ULL << shift);
  return std::chrono::milliseconds(
      static_cast<int64_t>(std::min(ceiling, static_cast<double>(max_.count()))));
}

std::chrono::milliseconds Backoff::Next() {
  const auto ceiling = Ceiling();
  ++attempt_;
  const int64_t half = ceiling.count() / 2;
  const int64_t span = ceiling.count() - half;
  // span * u < span for u < 1, so the result stays below the ceiling.
  return std::chrono::milliseconds(
      half + static_cast<int64_t>(static_cast<double>(span) * random_.Uniform()));
}

}  // namespace converge

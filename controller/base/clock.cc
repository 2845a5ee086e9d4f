#include "base/clock.h"

#include <thread>

namespace converge {

void RealClock::SleepFor(Duration d) { std::this_thread::sleep_for(d); }

RealClock& RealClock::Get() {
  static RealClock clock;
  return clock;
}

}  // namespace converge

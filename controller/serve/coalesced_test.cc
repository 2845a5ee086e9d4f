#include "serve/coalesced.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <stdexcept>
#include <thread>
#include <vector>

#include "support/poll.h"

namespace converge::serve {
namespace {

using std::chrono::seconds;
using test_support::WaitFor;

// A rendering that blocks until the test releases it, numbered by call.
struct GatedRender {
  std::mutex mu;
  std::condition_variable cv;
  int released = 0;  // renderings allowed to finish
  std::atomic<int> calls = 0;
  std::string operator()() {
    const int n = ++calls;
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return released >= n; });
    return "rendering " + std::to_string(n);
  }
  void Release(int n) {
    std::lock_guard lock(mu);
    released = n;
    cv.notify_all();
  }
};

TEST(CoalescedTest, RequestsArrivingDuringARenderingShareTheNextOne) {
  GatedRender gate;
  Coalesced coalesced([&] { return gate(); });
  auto first = std::async(std::launch::async, [&] { return *coalesced.Get(); });
  ASSERT_TRUE(WaitFor([&] { return gate.calls == 1; }, seconds(5)));
  // Ten requests arrive while rendering 1 is under way: it started before them, so
  // none of them may be answered with it; they all share rendering 2.
  std::vector<std::future<std::string>> later;
  for (int i = 0; i < 10; ++i) {
    later.push_back(std::async(std::launch::async, [&] { return *coalesced.Get(); }));
  }
  ASSERT_TRUE(WaitFor([&] { return coalesced.waiting() == 10; }, seconds(5)));
  gate.Release(2);
  EXPECT_EQ(first.get(), "rendering 1");
  for (auto& f : later) EXPECT_EQ(f.get(), "rendering 2");
  EXPECT_EQ(gate.calls.load(), 2);
  EXPECT_EQ(coalesced.renders(), 2u);
  // Alone, a request renders afresh.
  gate.Release(3);
  EXPECT_EQ(*coalesced.Get(), "rendering 3");
}

TEST(CoalescedTest, WhatTheRenderingThrowsReachesEveryRequestAndTheNextOneRendersAgain) {
  int calls = 0;
  Coalesced coalesced([&]() -> std::string {
    if (++calls == 1) throw std::runtime_error("snapshot failed");
    return "ok";
  });
  EXPECT_THROW(coalesced.Get(), std::runtime_error);
  EXPECT_EQ(*coalesced.Get(), "ok");
  EXPECT_EQ(calls, 2);
}

}  // namespace
}  // namespace converge::serve

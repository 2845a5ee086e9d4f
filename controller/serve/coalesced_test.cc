#include "serve/coalesced.h"

#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>

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
  // The first request waits for rendering 1, the ten for rendering 2.
  ASSERT_TRUE(WaitFor([&] { return coalesced.waiting() == 11; }, seconds(5)));
  gate.Release(1);
  EXPECT_EQ(first.get(), "rendering 1");
  // Rendering 2 starts at once for the ten, and they stay waiting until it ends.
  ASSERT_TRUE(WaitFor([&] { return gate.calls == 2; }, seconds(5)));
  EXPECT_EQ(coalesced.waiting(), 10);
  gate.Release(2);
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

// Scrapers must not take the CPU from reconciling: the renderings run on a thread
// of their own, kRenderNice below the priority of the threads that ask for them.
TEST(CoalescedTest, RendersOnAThreadOfItsOwnAtALowerPriority) {
  const auto nice_of_this_thread = [] {
    return ::getpriority(PRIO_PROCESS, static_cast<id_t>(::gettid()));
  };
  const std::thread::id caller = std::this_thread::get_id();
  std::thread::id renderer;
  Coalesced coalesced([&] {
    renderer = std::this_thread::get_id();
    return std::to_string(nice_of_this_thread());
  });
  const int expected = std::min(19, nice_of_this_thread() + Coalesced::kRenderNice);
  EXPECT_EQ(*coalesced.Get(), std::to_string(expected));
  EXPECT_NE(renderer, caller);
  EXPECT_EQ(nice_of_this_thread(), expected - Coalesced::kRenderNice)
      << "the caller's is unchanged";
}

TEST(CoalescedTest, ARequestWaitingWhenItIsDestroyedGetsAnError) {
  GatedRender gate;
  auto coalesced = std::make_unique<Coalesced>([&] { return gate(); });
  auto first = std::async(std::launch::async, [&] { return *coalesced->Get(); });
  ASSERT_TRUE(WaitFor([&] { return gate.calls == 1; }, seconds(5)));
  auto second = std::async(std::launch::async, [&] { return *coalesced->Get(); });
  ASSERT_TRUE(WaitFor([&] { return coalesced->waiting() == 2; }, seconds(5)));
  const Coalesced* raw = coalesced.get();
  std::thread destroy([&] { coalesced.reset(); });
  // Released only once the destructor has begun, so rendering 1 is the last one.
  ASSERT_TRUE(WaitFor([&] { return raw->stopping(); }, seconds(5)));
  gate.Release(1);
  destroy.join();
  EXPECT_EQ(first.get(), "rendering 1");
  EXPECT_THROW(second.get(), std::runtime_error);
}

}  // namespace
}  // namespace converge::serve

#include <catch2/catch.hpp>

#include <thread>

#include "airreg/rate_limiter.hpp"
#include "fake_clock.hpp"

using namespace std::chrono_literals;
using airreg::RateLimiter;
using airreg::test::FakeClock;

namespace {

// Starts n requests one after another, each answered `latency` after it started.
std::vector<long long> start_times(RateLimiter& limiter, FakeClock& clock, int n, FakeClock::Duration latency) {
  std::vector<long long> starts;
  for (int i = 0; i < n; ++i) {
    auto permit = limiter.acquire();
    starts.push_back(FakeClock::ms(clock.now()));
    clock.advance(latency);
    permit.finish();
  }
  return starts;
}

// The most requests that started within any window of `window_ms`.
size_t busiest_window(const std::vector<long long>& starts, long long window_ms) {
  size_t most = 0;
  for (size_t i = 0; i < starts.size(); ++i) {
    size_t in = 0;
    for (size_t j = i; j < starts.size() && starts[j] < starts[i] + window_ms; ++j) ++in;
    most = std::max(most, in);
  }
  return most;
}

}  // namespace

TEST_CASE("the limiter lets five requests go at once and the sixth a window after the first answer", "[rate_limiter]") {
  FakeClock clock;
  auto limiter = RateLimiter::per_second(5, clock.clock());
  auto starts = start_times(*limiter, clock, 12, 10ms);
  CHECK(starts == std::vector<long long>{0, 10, 20, 30, 40, 1010, 1020, 1030, 1040, 1050, 2020, 2030});
  CHECK(busiest_window(starts, 1000) == 5);
}

TEST_CASE("paced requests never exceed the limit in any one-second window, whatever the latency", "[rate_limiter]") {
  for (auto latency : {0ms, 1ms, 37ms, 180ms, 900ms}) {
    FakeClock clock;
    auto limiter = RateLimiter::per_second(5, clock.clock());
    auto starts = start_times(*limiter, clock, 60, latency);
    CAPTURE(latency.count());
    // Counted at the server, a request lands somewhere between its start and its answer;
    // the answer time is the worst case.
    std::vector<long long> arrivals;
    for (auto s : starts) arrivals.push_back(s + latency.count());
    CHECK(busiest_window(starts, 1000) <= 5);
    CHECK(busiest_window(arrivals, 1000) <= 5);
    // And it stays close to the limit: 60 requests take 12 windows (plus one round-trip
    // each), not 24, unless the round-trips alone take longer.
    long long l = latency.count();
    CHECK(starts.back() <= std::max(12 * (1000 + l), 60 * l));
  }
}

TEST_CASE("a fractional rate spreads single requests evenly", "[rate_limiter]") {
  FakeClock clock;
  auto limiter = RateLimiter::per_second(1.25, clock.clock());
  CHECK(limiter->max_requests() == 1);
  auto starts = start_times(*limiter, clock, 4, 0ms);
  CHECK(starts == std::vector<long long>{0, 800, 1600, 2400});
}

TEST_CASE("a pause after a 429 holds back every request until it ends", "[rate_limiter]") {
  FakeClock clock;
  auto limiter = RateLimiter::per_second(5, clock.clock());
  limiter->acquire().finish();
  limiter->pause_for(30s);
  auto permit = limiter->acquire();
  CHECK(FakeClock::ms(clock.now()) == 30'000);
  // A shorter pause does not shorten a longer one.
  limiter->pause_for(40s);
  limiter->pause_for(1s);
  permit.finish();
  limiter->acquire().finish();
  CHECK(FakeClock::ms(clock.now()) == 70'000);
}

TEST_CASE("the pause is shared by threads waiting on the same limiter", "[rate_limiter]") {
  FakeClock clock;
  auto limiter = RateLimiter::per_second(5, clock.clock());
  limiter->pause_for(10s);
  std::vector<long long> starts(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&, i] {
      auto permit = limiter->acquire();
      starts[i] = FakeClock::ms(clock.now());
    });
  for (auto& t : threads) t.join();
  for (auto s : starts) CHECK(s >= 10'000);
}

TEST_CASE("no pacing at rate zero, but a 429 pause still applies", "[rate_limiter]") {
  FakeClock clock;
  auto limiter = RateLimiter::per_second(0, clock.clock());
  auto starts = start_times(*limiter, clock, 20, 0ms);
  CHECK(starts.back() == 0);
  limiter->pause_for(2s);
  limiter->acquire();
  CHECK(FakeClock::ms(clock.now()) == 2000);
}

TEST_CASE("clients of one base share one limiter; other bases get their own", "[rate_limiter]") {
  auto a = airreg::shared_rate_limiter("http://x", "appA", 5);
  auto b = airreg::shared_rate_limiter("http://x", "appA", 2);
  auto c = airreg::shared_rate_limiter("http://x", "appB", 5);
  CHECK(a == b);
  CHECK(a != c);
}

namespace {

// A fleet's budget as the limiter sees it: refuses the first `refusals` tries, then grants.
struct ScriptedBudget : airreg::SharedRequestBudget {
  int refusals = 0;
  int tries = 0;
  std::vector<std::string> released;
  std::vector<airreg::Clock::Duration> pauses;
  Grant try_acquire() override {
    ++tries;
    Grant g;
    if (refusals > 0) {
      --refusals;
      g.retry_in = 100ms;
      return g;
    }
    g.granted = true;
    g.ticket = "t" + std::to_string(tries);
    return g;
  }
  void release(const std::string& ticket) override { released.push_back(ticket); }
  void pause_for(airreg::Clock::Duration pause) override { pauses.push_back(pause); }
};

}  // namespace

TEST_CASE("with a shared budget a request also waits for the fleet's slot, and gives it back when answered", "[rate_limiter]") {
  FakeClock clock;
  RateLimiter limiter(5, 1s, clock.clock());
  auto budget = std::make_shared<ScriptedBudget>();
  budget->refusals = 3;  // three other instances' requests fill the window first
  limiter.set_shared_budget(budget);
  auto permit = limiter.acquire();
  CHECK(budget->tries == 4);
  CHECK(FakeClock::ms(clock.now()) == 300);  // polled at the wait the budget named
  CHECK(budget->released.empty());
  permit.finish();
  REQUIRE(budget->released == std::vector<std::string>{"t4"});
  // A 429 seen here pauses the whole fleet.
  limiter.pause_for(30s);
  REQUIRE(budget->pauses.size() == 1);
  CHECK(budget->pauses[0] == airreg::Clock::Duration(30s));
  // Unpaced limiters take the fleet's slot too.
  RateLimiter unpaced(0, 0s, clock.clock());
  unpaced.set_shared_budget(budget);
  { auto p = unpaced.acquire(); }
  CHECK(budget->released.size() == 2);
}

// Fleet benchmarks: server instances as processes (registry_instance) on one base, against
// airtable-local with Airtable's limit (5 req/s, 30 s penalty), with and without Redis.
// Prints one JSON line per figure:
//   {"bench":"fleet_cold_start","instances":N,"redis":true,"airtable_requests":..,"rate_limited":..,
//    "answered":..,"slowest_first_answer_ms":..}
//     N instances started at once, each asking for three providers' models at once and then
//     every second for 3 s; "answered": instances that got every answer (from any source).
//   {"bench":"fleet_steady_state","fleet":10,"redis":..,"requests_per_instance_hour":..,
//    "projected_requests_per_month_fleet":..}
//     The cache TTL shortened to 2 s to stand for an hour: 48 s of running is a day of a fleet
//     of 10 with nothing changing; the month is 30 such days.
// FLEET_SIZES (default "1 10 50") picks the cold starts.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "bench_line.hpp"
#include "fleet_world.hpp"

using airreg::test::FleetWorld;
using airreg::test::parse_instance_output;

namespace {

constexpr int kFleet = 10;

void cold_start(int instances, bool redis) {
  FleetWorld w(redis);
  w.seed();
  size_t before = w.airtable.requests().size();
  std::vector<std::unique_ptr<airreg::test::ChildProcess>> fleet;
  for (int i = 0; i < instances; ++i) fleet.push_back(w.instance("c" + std::to_string(i), 3000, 1000, redis));
  int answered = 0;
  double slowest = 0;
  std::string first_error;
  for (auto& p : fleet) {
    p->wait();
    auto out = parse_instance_output(p->output());
    bool all = !out.answers.empty();
    for (const auto& a : out.answers) {
      all &= a.error.empty();
      if (!a.error.empty() && first_error.empty()) first_error = a.provider + ": " + a.error;
    }
    answered += all;
    if (!all) std::fprintf(stderr, "an instance did not answer every time (exit %d): %.400s\n", p->wait(), p->output().c_str());
    // The first round of answers: from the process's start (the registry made, the table
    // bound) to its third provider's answer.
    if (out.answers.size() >= 3) slowest = std::max(slowest, out.answers[2].t_ms);
  }
  airreg::bench::BenchLine("fleet_cold_start")
      .add("instances", instances)
      .add("redis", redis)
      .add("airtable_requests", w.requests_since(before))
      .add("rate_limited", w.airtable.rate_limited())
      .add("answered", answered)
      .add("slowest_first_answer_ms", std::round(slowest))
      .add("first_error", first_error)
      .print();
}

void steady_state(bool redis) {
  // Without Redis each instance reads on its own: one instance is measured and the fleet is
  // ten times that (ten measured at once would pass the base's limit in a compressed day,
  // which a real day spreads over hours).
  const int measured = redis ? kFleet : 1;
  constexpr int kDayMs = 48'000;  // 24 "hours" of 2 s
  FleetWorld w(redis);
  w.seed();
  std::map<std::string, std::string> hour_is_2s{{"AIRREG_CACHE_TTL", "2"}};
  // Started, then measured once every instance has answered (the cold start is above).
  std::vector<std::unique_ptr<airreg::test::ChildProcess>> fleet;
  for (int i = 0; i < measured; ++i)
    fleet.push_back(w.instance("s" + std::to_string(i), kDayMs + 4000, 250, redis, hour_is_2s));
  std::this_thread::sleep_for(std::chrono::seconds(4));
  size_t before = w.airtable.requests().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(kDayMs));
  size_t per_day = w.requests_since(before);
  for (auto& p : fleet) p->wait();
  double per_instance_hour = static_cast<double>(per_day) / (measured * 24.0);
  double fleet_month = per_instance_hour * kFleet * 24 * 30;
  airreg::bench::BenchLine("fleet_steady_state")
      .add("fleet", kFleet)
      .add("measured_instances", measured)
      .add("redis", redis)
      .add("requests_per_day_measured", per_day)
      .add("requests_per_instance_hour", std::round(per_instance_hour * 100) / 100)
      .add("projected_requests_per_month_fleet", std::llround(fleet_month))
      .add("rate_limited", w.airtable.rate_limited())
      .print();
}

}  // namespace

int main() {
  std::vector<int> sizes;
  std::istringstream in(std::getenv("FLEET_SIZES") ? std::getenv("FLEET_SIZES") : "1 10 50");
  for (int n; in >> n;) sizes.push_back(n);
  for (int n : sizes)
    for (bool redis : {true, false}) cold_start(n, redis);
  for (bool redis : {true, false}) steady_state(redis);
  return 0;
}

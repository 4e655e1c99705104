// Fleet benchmarks: server instances as processes (registry_instance) on one base, against
// airtable-local with Airtable's limit (5 req/s, 30 s penalty), with and without Redis.
// Prints one JSON line per figure:
//   {"bench":"fleet_cold_start","instances":N,"redis":true,"airtable_requests":..,"rate_limited":..,
//    "answered":..,"slowest_first_answer_ms":..}
//     N instances started at once, each asking for three providers' models at once and then
//     every second for 3 s; "answered": instances that got every answer (from any source).
//   {"bench":"calls_per_month","fleet":10,"mode":"revalidation|webhook","redis":..,
//    "projected_calls_per_month_fleet":..,"fits_free_plan":..}
//     The cache TTL shortened to 2 s to stand for an hour: 48 s of running is a day of a fleet
//     of 10 with nothing changing, plus the day's full read (24 h apart, so outside the
//     compressed day); the month is 30 such days. "webhook": serve processes with --public-url
//     (the first's address standing for a load balancer's): no revalidation at all.
//   {"bench":"edit_to_fleet_ms","fleet":10,"instances_reached":10,"ms":..}
//     A person's edit, until all 10 serve instances stopped serving the model.
// FLEET_SIZES (default "1 10 50") picks the cold starts.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include <httplib.h>
#include <signal.h>

#include "airreg/airtable_client.hpp"
#include "bench_line.hpp"
#include "fleet_world.hpp"
#include "free_port.hpp"

using airreg::test::FleetWorld;
using airreg::test::parse_instance_output;

namespace {

constexpr int kFleet = 10;
constexpr int kDayMs = 48'000;  // 24 "hours" of 2 s
constexpr long long kFreePlan = 1000;

void month_line(const char* mode, bool redis, int measured, size_t measured_day, size_t fleet_day, size_t rate_limited,
                long long extra_per_month = 0) {
  long long month = static_cast<long long>(fleet_day) * 30 + extra_per_month;
  airreg::bench::BenchLine("calls_per_month")
      .add("fleet", kFleet)
      .add("mode", std::string(mode))
      .add("redis", redis)
      .add("measured_instances", measured)
      .add("calls_compressed_day_measured", measured_day)
      .add("calls_per_day_fleet", fleet_day)
      .add("projected_calls_per_month_fleet", month)
      .add("fits_free_plan", month <= kFreePlan)
      .add("rate_limited", rate_limited)
      .print();
}

struct ServeProcess {
  std::unique_ptr<airreg::test::ChildProcess> process;
  int port = 0;
};

ServeProcess start_serve(const FleetWorld& w, const std::string& name, int port, const std::vector<std::string>& flags,
                         const std::map<std::string, std::string>& extra) {
  std::vector<std::string> argv{AIRREG_BIN, "serve", "--port", std::to_string(port)};
  argv.insert(argv.end(), flags.begin(), flags.end());
  auto env = w.env(name, true);
  for (const auto& [k, v] : extra) env[k] = v;
  ServeProcess s{std::make_unique<airreg::test::ChildProcess>(argv, (w.dir.path() / (name + ".log")).string(), env), 0};
  const std::string prefix = "airreg serve listening on http://127.0.0.1:";
  for (int i = 0; i < 200 && s.port == 0; ++i) {
    auto out = s.process->output();
    if (auto at = out.find(prefix); at != std::string::npos) s.port = std::atoi(out.c_str() + at + prefix.size());
    else std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  if (s.port == 0) std::fprintf(stderr, "serve %s did not start: %.400s\n", name.c_str(), s.process->output().c_str());
  return s;
}

bool serves_model(const ServeProcess& s, const std::string& model) {
  httplib::Client c("127.0.0.1", s.port);
  auto answer = c.Get("/v1/registry/models?provider=openai");
  return answer && answer->status == 200 && answer->body.find("\"" + model + "\"") != std::string::npos;
}

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

// Airtable calls of a day with nothing changing beyond the compressed one: one full read of the
// table (its pages and the history) for deleted rows, by one instance with Redis, by each
// without (full_read_every is 24 h, longer than the compressed day).
size_t full_reads_per_day(const FleetWorld& w, bool redis) {
  airreg::AirtableClient client(w.airtable_config(), airreg::make_curl_transport());
  size_t rows = client.list("AI Model Registry").value().size();
  size_t one = (rows + 99) / 100 + 1;
  return redis ? one : one * kFleet;
}

void revalidation_month(bool redis) {
  // Without Redis each instance reads on its own: one instance is measured and the fleet is
  // ten times that (ten measured at once would pass the base's limit in a compressed day,
  // which a real day spreads over hours).
  const int measured = redis ? kFleet : 1;
  FleetWorld w(redis);
  w.seed();
  // An hour is 2 s; airtable-local shares this machine's clock, so no margin for skew.
  std::map<std::string, std::string> compressed{{"AIRREG_CACHE_TTL", "2"}, {"AIRREG_CLOCK_SKEW", "0"}};
  // Started, then measured once every instance has answered (the cold start is above).
  std::vector<std::unique_ptr<airreg::test::ChildProcess>> fleet;
  for (int i = 0; i < measured; ++i)
    fleet.push_back(w.instance("s" + std::to_string(i), kDayMs + 4000, 250, redis, compressed));
  std::this_thread::sleep_for(std::chrono::seconds(4));
  size_t before = w.airtable.requests().size();
  std::this_thread::sleep_for(std::chrono::milliseconds(kDayMs));
  size_t measured_day = w.requests_since(before);
  for (auto& p : fleet) p->wait();
  size_t fleet_day = measured_day * (kFleet / measured) + full_reads_per_day(w, redis);
  month_line("revalidation", redis, measured, measured_day, fleet_day, w.airtable.rate_limited());
}

// A fleet of 10 serve processes with Redis and one public URL: a compressed day with
// nothing changing (clients ask each instance 4 times a "second"), then a person's edit and
// the time until every instance stopped serving the model.
void webhook_month_and_edit() {
  FleetWorld w(true);
  w.seed();
  std::map<std::string, std::string> compressed{{"AIRREG_CACHE_TTL", "2"}, {"AIRREG_CLOCK_SKEW", "0"}};
  std::vector<ServeProcess> fleet;
  int first_port = airreg::test::free_port();
  for (int i = 0; i < kFleet; ++i) {
    // Every instance is given the fleet's public URL, as behind a load balancer (here the first's).
    std::vector<std::string> flags{"--public-url", "http://127.0.0.1:" + std::to_string(first_port)};
    fleet.push_back(start_serve(w, "w" + std::to_string(i), i == 0 ? first_port : 0, flags, compressed));
  }
  airreg::AirtableClient client(w.airtable_config(), airreg::make_curl_transport());
  for (int i = 0; i < 100 && client.list_webhooks().value_or(std::vector<airreg::WebhookInfo>{}).empty(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  // Measured once the start-up's calls (binding, the webhook's setup) are over.
  for (size_t last = 0, now = 1; last != now;) {
    last = w.airtable.requests().size();
    std::this_thread::sleep_for(std::chrono::seconds(2));
    now = w.airtable.requests().size();
  }
  size_t before = w.airtable.requests().size();
  auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(kDayMs);
  while (std::chrono::steady_clock::now() < until) {
    for (auto& s : fleet) (void)serves_model(s, "gpt-4o");
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  size_t measured_day = w.requests_since(before);
  size_t fleet_day = measured_day + full_reads_per_day(w, true);
  // The webhook is refreshed when fewer than 3 of its 7 days are left: 8 calls a month.
  month_line("webhook", true, kFleet, measured_day, fleet_day, w.airtable.rate_limited(), 8);

  // A person disables gpt-4o; every instance caches for an "hour" (2 s) in compressed time, an
  // hour for real: the edit arrives by the webhook's ping, not by expiry.
  std::string id;
  auto rows = client.list("AI Model Registry").value();  // held: a range-for over value() of a temporary dangles
  for (const auto& r : rows)
    if (r.fields.count("Model ID") && r.fields.at("Model ID") == airreg::FieldValue(std::string("gpt-4o"))) id = r.id;
  auto edited = std::chrono::steady_clock::now();
  auto updated = client.update("AI Model Registry", {airreg::AirtableRecord{id, "", {{"Status", std::string("disabled")}}}});
  bool ok = updated.has_value();
  if (!ok) std::fprintf(stderr, "the edit failed: %s\n", updated.error().describe().c_str());
  size_t reached = 0;
  auto deadline = edited + std::chrono::seconds(30);
  std::vector<bool> seen(fleet.size(), false);
  while (ok && reached < fleet.size() && std::chrono::steady_clock::now() < deadline) {
    for (size_t i = 0; i < fleet.size(); ++i)
      if (!seen[i] && !serves_model(fleet[i], "gpt-4o")) {
        seen[i] = true;
        ++reached;
      }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - edited).count();
  airreg::bench::BenchLine("edit_to_fleet_ms")
      .add("fleet", kFleet)
      .add("instances_reached", reached)
      .add("ms", std::round(ms))
      .add("cache_ttl_s", 2)
      .print();
  for (auto& s : fleet) s.process->signal(SIGTERM);
  for (auto& s : fleet) s.process->wait();
}

}  // namespace

int main() {
  std::vector<int> sizes;
  std::istringstream in(std::getenv("FLEET_SIZES") ? std::getenv("FLEET_SIZES") : "1 10 50");
  for (int n; in >> n;) sizes.push_back(n);
  for (int n : sizes)
    for (bool redis : {true, false}) cold_start(n, redis);
  for (bool redis : {true, false}) revalidation_month(redis);
  webhook_month_and_edit();
  return 0;
}

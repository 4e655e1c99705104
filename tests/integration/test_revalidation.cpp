// Airtable's monthly call quota (issue 13): a refresh asks whether anything changed for one
// call and reads only what did; deletions show at the next full read; a monthly budget
// stretches the period between revalidations; a spent quota is served around, never retried in
// a loop, and named plainly. Against airtable-local's LAST_MODIFIED_TIME() and --monthly-quota.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "airreg_command.hpp"
#include "airreg/outbox.hpp"
#include "eventually.hpp"
#include "registry_world.hpp"
#include "run_command.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::count;
using airreg::test::eventually;
using airreg::test::kTable;
using airreg::test::LocalServer;
using airreg::test::World;

namespace {

// Requests airtable-local answered (its request log is written as it answers).
size_t requests(const World& w) { return w.airtable.requests().size(); }

// Waits until the registry's background work has left the base alone for a moment.
size_t settled_requests(const World& w) {
  size_t last = requests(w);
  for (int quiet = 0; quiet < 3;) {
    std::this_thread::sleep_for(150ms);
    size_t now = requests(w);
    quiet = now == last ? quiet + 1 : 0;
    last = now;
  }
  return last;
}

// A cache expiry: the next call is answered from the cache while a refresh runs, which is
// awaited until `done`.
template <typename Done>
void expire_and_refresh(World& w, ModelRegistry& r, std::chrono::seconds ttl, Done done) {
  w.clock.advance(ttl + 1s);
  (void)r.models("openai", ModelCategory::text).value();
  REQUIRE(eventually(done));
}

// The workspace has `left` calls of its quota (airtable-local counts them in its data file).
void leave_calls(LocalServer& airtable, long long quota, long long left) {
  airtable.stop();
  std::ifstream in(airtable.data_path());
  std::stringstream text;
  text << in.rdbuf();
  std::string data = std::regex_replace(text.str(), std::regex(R"("apiCalls":\s*[0-9]+)"),
                                        "\"apiCalls\":" + std::to_string(quota - left));
  REQUIRE(data != text.str());
  std::ofstream(airtable.data_path(), std::ios::trunc) << data;
  airtable.restart();
}

RegistryOptions minute_cache() {
  RegistryOptions o;
  o.cache_ttl = 60s;
  o.clock_skew = 0s;  // airtable-local shares our clock
  return o;
}

}  // namespace

TEST_CASE("an unchanged table costs one call per revalidation; an edit costs the probe, its rows and the history", "[quota]") {
  World w;
  auto o = minute_cache();
  auto r = w.registry(o);
  r->models("openai", ModelCategory::text).value();
  REQUIRE(eventually([&] { return r->stats().outbox == 0; }));
  // The write-back changed rows after the read: the first revalidation reads them.
  expire_and_refresh(w, *r, o.cache_ttl, [&] { return r->stats().revalidations == 1; });
  std::this_thread::sleep_for(1100ms);  // formulas compare whole seconds: the next changes are newer
  auto full_reads = r->stats().airtable_reads;

  size_t before = settled_requests(w);
  expire_and_refresh(w, *r, o.cache_ttl, [&] { return r->stats().revalidations_unchanged == 1; });
  CHECK(settled_requests(w) - before == 1);  // before: every row again and the history (2 here, 6 for 500 rows)

  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  before = settled_requests(w);
  expire_and_refresh(w, *r, o.cache_ttl,
                     [&] { return count(r->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 0; });
  CHECK(settled_requests(w) - before == 3);  // the probe, the one changed row's page, the history
  CHECK(r->stats().airtable_reads == full_reads);
  CHECK(r->models("openai", ModelCategory::text).value()->models.size() == 14);
}

TEST_CASE("a deleted row shows at the next full read, full_read_every after the last", "[quota]") {
  World w;
  auto o = minute_cache();
  o.cache_ttl = 600s;
  o.full_read_every = 1h;
  { w.registry(o)->models("openai", ModelCategory::text).value(); }  // the rows, written back
  auto r = w.registry(o);
  REQUIRE(r->models("openai", ModelCategory::text).value()->models.size() == 15);
  auto full_reads = r->stats().airtable_reads;
  REQUIRE(w.client.remove(kTable, {w.record_of("gpt-4o")}));
  // A revalidation cannot see a row that is gone: it is still served...
  auto revalidations = r->stats().revalidations;
  expire_and_refresh(w, *r, o.cache_ttl, [&] { return r->stats().revalidations > revalidations; });
  settled_requests(w);  // the refresh has answered
  CHECK(count(r->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 1);
  CHECK(r->stats().airtable_reads == full_reads);
  // ...until the hour is up: cache expiries ten minutes apart, until it is gone.
  auto elapsed = o.cache_ttl + 1s;
  REQUIRE(eventually([&] {
    w.clock.advance(o.cache_ttl + 1s);
    elapsed += o.cache_ttl + 1s;
    settled_requests(w);
    return count(r->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 0;
  }));
  CHECK(elapsed >= 1h);
  CHECK(r->stats().airtable_reads == full_reads + 1);
}

TEST_CASE("a monthly budget stretches the revalidation period, keeps a reserve, then serves what it has", "[quota]") {
  World w;
  auto o = minute_cache();
  {
    auto unlimited = w.registry(o);
    unlimited->models("openai", ModelCategory::text).value();
    auto s = unlimited->stats();
    CHECK(!s.call_budget);
    CHECK(s.revalidation_period == o.cache_ttl);
    CHECK(s.calls_month > 0);
  }
  o.monthly_budget = 200;  // a month of 1-minute revalidations would be ~43,000
  auto r = w.registry(o);
  r->models("openai", ModelCategory::text).value();
  auto s = r->stats();
  REQUIRE(s.call_budget == 200);
  CHECK(s.revalidation_period > std::chrono::hours(1));
  CHECK(s.reads_allowed);
  CHECK(s.calls_projected >= s.calls_month);
  // Within the stretched period an expired cache entry costs nothing.
  size_t before = settled_requests(w);
  expire_and_refresh(w, *r, o.cache_ttl, [&] { return true; });
  CHECK(settled_requests(w) == before);

  // Counted in the state directory: a budget already spent leaves no share for reads.
  o.monthly_budget = s.calls_month;
  auto spent = w.registry(o);
  before = settled_requests(w);
  auto answer = spent->models("openai", ModelCategory::text).value();
  CHECK(answer->models.size() == 15);  // the table as last read, from the disk
  CHECK(answer->degraded);
  CHECK_THAT(Catch::Detail::stringify(answer->warnings), Catch::Contains("AIRREG_MONTHLY_CALL_BUDGET"));
  CHECK(!spent->stats().reads_allowed);
  CHECK(settled_requests(w) == before);
}

TEST_CASE("Airtable's quota spent: the table as last read answers, named plainly, with no retry loop", "[quota]") {
  constexpr long long kQuota = 1'000'000;
  World w({"--rate-limit", "0", "--monthly-quota", std::to_string(kQuota)});
  auto o = minute_cache();
  auto r = w.registry(o);
  r->models("openai", ModelCategory::text).value();
  REQUIRE(eventually([&] { return r->stats().outbox == 0; }));
  // The table as written back (the first read found it empty).
  expire_and_refresh(w, *r, o.cache_ttl, [&] { return r->stats().revalidations == 1; });
  settled_requests(w);
  leave_calls(w.airtable, kQuota, 0);
  auto errors = r->stats().errors;
  auto listings = r->stats().provider_calls;
  size_t before = settled_requests(w);
  w.clock.advance(61s);
  (void)r->models("openai", ModelCategory::text).value();
  REQUIRE(eventually([&] { return r->stats().errors > errors && r->models("openai", ModelCategory::text).value()->degraded; }));
  auto answer = r->models("openai", ModelCategory::text).value();
  CAPTURE(to_string(answer->source), answer->warnings);
  CHECK(answer->models.size() == 15);
  CHECK(answer->degraded);
  CHECK_THAT(Catch::Detail::stringify(answer->warnings), Catch::Contains("monthly API call quota"));
  CHECK(settled_requests(w) - before == 1);  // one refused call, not retried
  // Not asked again at the next expiry: a spent quota is checked once an hour.
  w.clock.advance(61s);
  (void)r->models("openai", ModelCategory::text).value();
  CHECK(settled_requests(w) - before == 1);
  CHECK(r->stats().provider_calls == listings);  // not "Airtable down": nothing was listed to write back
}

TEST_CASE("sync names a spent quota and keeps its rows for later", "[quota][cli]") {
  constexpr long long kQuota = 1'000'000;
  World w({"--rate-limit", "0", "--monthly-quota", std::to_string(kQuota)});
  leave_calls(w.airtable, kQuota, 3);  // enough to read the table, not to write
  std::string env = "AIRREG_STATE_DIR=" + w.state.path().string() + " OPENAI_API_KEY=sk-quota-SECRET OPENAI_BASE_URL=" +
                    w.providers.url() + " AIRREG_SCHEMA_DIR=" AIRREG_TEST_SCHEMA_DIR;
  auto sync = airreg::test::run_command(
      airreg::test::airreg_command(w.airtable, "sync --provider openai --category text", airreg::test::kTestToken, env));
  CHECK(sync.exit_code != 0);
  CHECK_THAT(sync.output, Catch::Contains("monthly API call quota"));
  CHECK_THAT(sync.output, !Catch::Contains("sk-quota-SECRET"));
  CHECK(Outbox(w.state.path()).status().value().waiting > 0);  // the rows wait for next month
}

TEST_CASE("calls made with the registry's client beside it (serve's webhook) count in the month's calls", "[quota]") {
  // serve's webhook manager had a client of its own: its calls (making the webhook, reading
  // every payload) were in no month's count and no budget.
  World w;
  auto r = w.registry(minute_cache());
  r->models("openai", ModelCategory::text).value();
  settled_requests(w);  // the write-back's flush is done
  auto before = r->stats().calls_month;
  auto beside = r->airtable_client();
  REQUIRE(beside);
  for (int i = 0; i < 3; ++i) REQUIRE(beside->list_webhooks());
  CHECK(r->stats().calls_month == before + 3);
}

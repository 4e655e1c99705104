// ModelRegistry, the read path, against airtable-local and recorded provider answers on
// loopback, on a fake clock for the TTLs.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include <spdlog/sinks/base_sink.h>

#include "airreg/model_registry.hpp"
#include "airreg/sync.hpp"
#include "core/durable_file.hpp"
#include "core/time_text.hpp"
#include "eventually.hpp"
#include "fake_clock.hpp"
#include "fixture_server.hpp"
#include "local_api.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "registry_tables.hpp"
#include "registry_world.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::eventually;
using airreg::test::FakeClock;
using airreg::test::FixtureServer;
using airreg::test::LocalServer;
using airreg::test::provider_fixture;
using airreg::test::TempDir;
using Reply = FixtureServer::Reply;

using airreg::test::World;
using airreg::test::table_reads;
using airreg::test::kTable;
using airreg::test::kHistory;

namespace {

using airreg::test::count;

}  // namespace

TEST_CASE("a cold read asks the provider, writes back, and the next instance reads fresh rows from Airtable", "[registry]") {
  World w;
  {
    auto r = w.registry();
    auto first = r->models("openai", ModelCategory::text).value();
    CHECK(first->source == AnswerSource::provider);
    CHECK(first->models.size() == 15);
    auto hit = r->models("openai", ModelCategory::text).value();
    CHECK(hit->source == AnswerSource::cache);
    CHECK(hit->origin == AnswerSource::provider);
    CHECK(hit->models.size() == 15);
    CHECK(r->stats().hits == 1);
    // The tts listing was read in the same refresh: no second discovery for it.
    CHECK(r->models("openai", ModelCategory::tts).value()->origin == AnswerSource::provider);
  }  // destruction flushes the write-back
  size_t text_rows = 0;
  for (const auto& rec : w.records()) text_rows += rec.fields.at("Category") == FieldValue(std::string("text"));
  CHECK(text_rows == 15);
  size_t calls = w.provider_calls();
  auto next = w.registry();
  auto read = next->models("openai", ModelCategory::text).value();
  CHECK(read->source == AnswerSource::airtable);
  CHECK(w.provider_calls() == calls);  // the history says the listing is fresh
}

TEST_CASE("32 threads missing the same key cause one table read and one discovery", "[registry]") {
  World w;
  auto r = w.registry();
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 32; ++i)
    threads.emplace_back([&] {
      if (auto list = r->models("openai", ModelCategory::text); list && (*list)->models.size() == 15) ++ok;
    });
  for (auto& t : threads) t.join();
  CHECK(ok == 32);
  CHECK(w.provider_calls() == 2);  // one listing per category of the one provider
  CHECK(r->stats().airtable_reads == 1);
}

TEST_CASE("an expired entry is served while one background refresh reads Airtable again", "[registry]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 3600s;
  auto r = w.registry(o);
  r->models("openai", ModelCategory::text).value();
  REQUIRE(eventually([&] { return r->stats().outbox == 0; }));  // the write-back (and its history row) landed
  auto reads = table_reads(*r);
  w.clock.advance(3599s);
  CHECK(r->models("openai", ModelCategory::text).value()->source == AnswerSource::cache);
  w.clock.advance(2s);
  auto expired = r->models("openai", ModelCategory::text).value();  // at once, not after the read
  CHECK(expired->source == AnswerSource::cache);
  CHECK(r->stats().stale_served == 1);
  REQUIRE(eventually([&] { return r->models("openai", ModelCategory::text).value()->origin == AnswerSource::airtable; }));
  CHECK(table_reads(*r) == reads + 1);  // one revalidation: only the changed rows were read
}

TEST_CASE("provider down: the rows are served marked stale however old, never the curated list, and the provider is not hammered", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.provider_down = true;
  w.listed_ago(std::chrono::hours(24 * 30));  // a month without a listing: past the 7-day warning
  w.verified_ago(std::chrono::hours(24 * 30));
  RegistryOptions o;
  o.cache_ttl = 1s;
  auto r = w.registry(o);
  auto stale = r->models("openai", ModelCategory::text).value();
  CHECK(stale->source == AnswerSource::stale);
  CHECK(stale->degraded);
  CHECK(stale->models.size() == 15);  // before: the curated list past 7 days
  bool aged = false;
  for (const auto& warning : stale->warnings) aged |= warning.find("30 days ago") != std::string::npos;
  CHECK(aged);
  size_t calls = w.provider_calls();
  w.clock.advance(30s);  // within the negative TTL: served as it was, never as `cache`
  auto hit = r->models("openai", ModelCategory::text).value();
  CHECK(hit->source == AnswerSource::stale);
  CHECK(w.provider_calls() == calls);
  w.clock.advance(271s);  // past the negative cache and the 5-minute discovery interval: asked once more
  CHECK(r->models("openai", ModelCategory::text).value()->source == AnswerSource::stale);
  REQUIRE(eventually([&] { return w.provider_calls() >= calls + 2; }));
  CHECK(w.provider_calls() == calls + 2);  // one refresh: a listing per category
}

TEST_CASE("Airtable down: the provider's models are served with statuses from the last snapshot; rows wait in the outbox", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  {
    RegistryOptions fresh_never;
    fresh_never.fresh_for = 0h;  // asks the provider, and keeps the snapshot with the disabled row
    w.registry(fresh_never)->models("openai", ModelCategory::text).value();
  }
  w.airtable.stop();
  w.listing.replace(w.listing.find("\"gpt-4-0613\""), 12, "\"gpt-6-new\"");
  auto r = w.registry();
  auto list = r->models("openai", ModelCategory::text).value();
  CHECK(list->source == AnswerSource::provider);
  CHECK(list->degraded);
  CHECK(count(list->models, "gpt-4o") == 0);     // the snapshot says a person disabled it
  CHECK(count(list->models, "gpt-6-new") == 1);  // new models follow the new-model policy (active here)
  r.reset();                                     // the flush fails: the write-back waits in the outbox
  CHECK(Outbox(w.state.path()).status().value().waiting > 0);
}

TEST_CASE("Airtable down and no snapshot: listed models follow the new-model policy; nothing is written back", "[registry]") {
  World w;
  w.airtable.stop();
  auto r = w.registry({}, ModelStatus::pending);
  auto usable = r->models("openai", ModelCategory::text).value();
  CHECK(usable->source == AnswerSource::provider);
  CHECK(usable->models.empty());  // pending: nothing a person approved may be served
  auto all = r->models("openai", ModelCategory::text, true).value();
  CHECK(all->models.size() == 15);
  r.reset();
  // Merged against nothing: a write-back would overwrite a person's cells once Airtable is back.
  CHECK(Outbox(w.state.path()).status().value().waiting == 0);
}

TEST_CASE("a read cut off by a 429 is not an error: a fallback answers, the pause is waited out, nothing is merged against nothing", "[registry]") {
  World w({"--rate-limit", "5", "--penalty-seconds", "2"});
  w.max_rps = 5;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  std::this_thread::sleep_for(1100ms);  // a fresh window
  { w.registry()->models("openai", ModelCategory::text).value(); }  // its snapshot knows the edit
  std::this_thread::sleep_for(1100ms);
  size_t calls = w.provider_calls();
  // Another process spends the base's budget: every request gets a 429 for the next 2 s.
  test::LocalApi other(w.airtable, "t");
  for (int i = 0; i < 8; ++i) (void)other.get(test::LocalApi::table_path(kHistory));
  REQUIRE(w.airtable.rate_limited() > 0);
  RegistryOptions quick;
  quick.wait_for = 200ms;
  quick.read_attempts = 10;
  auto r = w.registry(quick);
  auto answer = r->models("openai", ModelCategory::text);
  REQUIRE(answer);  // before: "Airtable rate limit reached"
  CAPTURE(to_string((*answer)->source), (*answer)->warnings);
  CHECK((*answer)->degraded);
  CHECK(count((*answer)->models, "gpt-4o") == 0);  // the snapshot knows a person disabled it
  REQUIRE(eventually([&] { return r->models("openai", ModelCategory::text).value()->origin == AnswerSource::airtable; }));
  CHECK(count(r->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 0);
  CHECK(w.provider_calls() == calls);  // before: the listing merged against nothing, 15 rows written back
}

TEST_CASE("a miss waits at most wait_for, then gets a fallback; the next call gets the load's answer", "[registry]") {
  World w;
  w.provider_delay_ms = 1500;
  RegistryOptions o;
  o.wait_for = 100ms;
  auto r = w.registry(o);
  auto started = std::chrono::steady_clock::now();
  auto first = r->models("openai", ModelCategory::text).value();
  CHECK(std::chrono::steady_clock::now() - started < 1400ms);  // the provider takes 1.5 s
  CHECK(first->source == AnswerSource::curated);  // no rows, no snapshot yet
  CHECK(first->degraded);
  CHECK(r->stats().fallbacks_served == 1);
  REQUIRE(eventually([&] { return r->models("openai", ModelCategory::text).value()->origin == AnswerSource::provider; }));
}

TEST_CASE("two instances on one base see each other's writes once their caches expire", "[registry]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 60s;
  auto a = w.registry(o);
  a->models("openai", ModelCategory::text).value();
  a.reset();  // a's write-back lands
  auto b = w.registry(o);
  CHECK(b->models("openai", ModelCategory::text).value()->source == AnswerSource::airtable);
  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  CHECK(b->models("openai", ModelCategory::text).value()->models.size() == 15);  // cached
  w.clock.advance(61s);
  REQUIRE(eventually([&] { return b->models("openai", ModelCategory::text).value()->models.size() == 14; }));
}

TEST_CASE("a change told while a load asks the provider is loaded again at once, not an hour later", "[registry]") {
  World w;
  w.registry()->models("openai", ModelCategory::text).value();  // the rows written
  w.listed_ago(25h);                                             // the listing is old: the next load asks
  size_t calls = w.provider_calls();
  w.provider_delay_ms = 1500;
  auto b = w.registry();
  auto first = std::async(std::launch::async, [&] { return b->models("openai", ModelCategory::text); });
  REQUIRE(eventually([&] { return w.provider_calls() > calls; }));  // b has read the table, gpt-4o active in it
  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  b->invalidate({"openai"});  // as a webhook payload or the fleet would tell it
  REQUIRE(first.get());       // merged against the table as it was before the edit
  // One more load follows at once and reads the edit (the fake clock never moves: without it
  // the older answer would stand for the cache's hour).
  CHECK(eventually([&] { return count(b->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 0; }, 10s));
}

TEST_CASE("resolve falls back by the rules, to the curated default when nothing is known, never to what a row refuses", "[registry]") {
  World w;
  auto r = w.registry();
  auto chosen = r->resolve("openai", ModelCategory::text, "gpt-4o").value();
  CHECK(chosen.model_id == "gpt-4o");
  CHECK(chosen.rule == ResolveRule::requested);
  auto other = r->resolve("openai", ModelCategory::text, "no-such-model").value();
  CHECK(other.rule == ResolveRule::sort_order);
  auto anthropic = r->resolve("anthropic", ModelCategory::text, "claude-haiku-4-5-20251001");  // no key, no rows
  REQUIRE(anthropic);
  CHECK(anthropic->rule == ResolveRule::requested);  // the curated list is served as usable
  CHECK(anthropic->source == AnswerSource::curated);
  auto unknown = r->resolve("anthropic", ModelCategory::text, "claude-x");
  REQUIRE(unknown);
  CHECK(unknown->rule == ResolveRule::sort_order);
}

TEST_CASE("resolve never returns a disabled, pending or deprecated model, the curated default included", "[registry]") {
  World w;
  auto pending = w.registry({}, ModelStatus::pending);
  auto none = pending->resolve("openai", ModelCategory::text, "gpt-4o-mini");
  CHECK_FALSE(none);  // before: the curated default gpt-4o-mini, a pending row
}

TEST_CASE("a listing read 23.3 h ago is fresh, one read 23.5 h ago is not (24 h less a jitter of 2.5 per cent)", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  size_t calls = w.provider_calls();
  w.listed_ago(23h + 18min);  // 23.3 h: trusted
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == AnswerSource::airtable);
  CHECK(w.provider_calls() == calls);
  w.listed_ago(23h + 30min);  // 23.5 h: past this instance's trust, the provider is asked
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == AnswerSource::provider);
  CHECK(w.provider_calls() > calls);
}

TEST_CASE("Last Verified bumped by real calls does not make a stale listing fresh; a future time counts as now", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.listed_ago(25h);
  // Real calls bump Last Verified on every row: the listing is still a day old.
  w.verified_ago(0min);
  size_t calls = w.provider_calls();
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == AnswerSource::provider);
  CHECK(w.provider_calls() > calls);  // before: taken for fresh, never asked again
  // A history row from a skewed clock, a year ahead, counts as now (fresh), not as forever.
  w.listed_ago(-std::chrono::hours(24 * 365));
  calls = w.provider_calls();
  CHECK(w.registry()->models("openai", ModelCategory::text).value()->source == AnswerSource::airtable);
  CHECK(w.provider_calls() == calls);
}

TEST_CASE("report_verified: 100 calls in a second give one Last Verified write; an unknown id creates nothing", "[registry]") {
  World w;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  // Last Verified an hour and a half old: a real call may bump it.
  std::string old = core::format_utc(std::chrono::system_clock::now() - 90min);
  w.verified_ago(90min);
  size_t rows = w.records().size();
  std::string table_id;
  auto tables = w.client.tables().value();  // named: a range-for over .value() of a temporary dangles
  for (const auto& t : tables)
    if (t.name == kTable) table_id = t.id;
  auto patches = [&] {
    size_t n = 0;
    for (const auto& l : w.airtable.requests()) n += l.method == "PATCH" && l.path.find(table_id) != std::string::npos;
    return n;
  };
  {
    auto r = w.registry();
    r->models("openai", ModelCategory::text).value();
    size_t before = patches();
    for (int i = 0; i < 100; ++i) r->report_verified("openai", "gpt-4o");
    for (int i = 0; i < 10; ++i) r->report_verified("openai", "gpt-4o-typo");
    r.reset();
    CHECK(patches() - before == 1);  // before: 100
  }
  CHECK(w.records().size() == rows);  // the typo created no row
  for (const auto& rec : w.records())
    if (rec.fields.at("Model ID") == FieldValue(std::string("gpt-4o"))) CHECK(rec.fields.at("Last Verified") != FieldValue(old));
}

TEST_CASE("a registry keeps serving the right models across renames of Model ID, Status and Provider ID", "[registry]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 60s;
  { w.registry()->models("openai", ModelCategory::text).value(); }
  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  auto r = w.registry(o);
  CHECK(r->models("openai", ModelCategory::text).value()->models.size() == 14);
  auto tables = w.client.tables().value();
  for (const auto& t : tables)
    if (t.name == kTable)
      for (const auto& [from, to] : std::vector<std::pair<std::string, std::string>>{
               {"Model ID", "Model"}, {"Status", "Approval"}, {"Provider ID", "Vendor"}}) {
        const FieldSpec* f = t.field_by_name(from);
        REQUIRE(f);
        REQUIRE(w.client.update_field(t.id, f->id, to, std::nullopt));
      }
  size_t rows = w.records().size();
  auto reads = table_reads(*r);
  w.clock.advance(61s);
  REQUIRE(eventually([&] {
    auto list = r->models("openai", ModelCategory::text).value();
    return table_reads(*r) > reads && list->origin == AnswerSource::airtable;
  }));
  auto list = r->models("openai", ModelCategory::text).value();
  CHECK(list->models.size() == 14);  // before: nothing servable (Status unknown), or all new (Model ID unknown)
  CHECK(count(list->models, "gpt-4o") == 0);
  CHECK(list->warnings.empty());
  r.reset();
  CHECK(w.records().size() == rows);  // no row created for a model taken for new
}

TEST_CASE("a load that throws releases its waiters with an error and frees the key", "[registry]") {
  struct Throwing : HttpTransport {  // a transport with a bug: it throws on record reads
    Result<HttpResponse> send(const HttpRequest& request) override {
      if (request.url.find("/meta/") != std::string::npos) return HttpResponse{404, {}, R"({"error":"NOT_FOUND"})"};
      throw std::runtime_error("boom");
    }
  };
  TempDir state;
  AirtableConfig config;
  config.token = "t";
  config.base_id = "appTHROW";
  config.endpoint_url = "http://127.0.0.1:9";
  DiscoveryConfig discovery;
  discovery.rules_path = AIRREG_TEST_SCHEMA_DIR "/provider_rules.json";
  discovery.curated_path = AIRREG_TEST_SCHEMA_DIR "/curated_models.json";
  RegistryOptions o;
  o.state_dir = state.path();
  o.startup_jitter = 0ms;
  auto registry = ModelRegistry::create(config, discovery, RegistrySchemas::load(AIRREG_TEST_SCHEMA_DIR).value(), o,
                                        std::make_shared<Throwing>());
  REQUIRE(registry);
  for (int i = 0; i < 3; ++i) {
    auto answer = (*registry)->models("openai", ModelCategory::text);  // before: std::future_error, then stuck
    CHECK((answer || answer.error().message.find("boom") != std::string::npos));
  }
}

TEST_CASE("destroying the registry is bounded, even while another process holds the flush lock", "[registry]") {
  World w;
  // A cron `airreg sync` holds the base's flush lock for a long time.
  REQUIRE(core::make_private_dir(w.state.path()));
  auto held = core::FileLock::acquire(w.state.path() / (std::string("flush-") + LocalServer::kBase + ".lock"));
  REQUIRE(held);
  auto r = w.registry();
  r->models("openai", ModelCategory::text).value();  // its write-back waits for the lock
  auto started = std::chrono::steady_clock::now();
  r.reset();
  CHECK(std::chrono::steady_clock::now() - started < 15s);  // flush_timeout is 5 s here; before: blocked
  CHECK(Outbox(w.state.path()).status().value().waiting > 0);  // kept for the next start
}

TEST_CASE("a write-back that stops is logged and shown in stats with its time", "[registry]") {
  World w;
  {
    RegistryOptions fresh_never;
    fresh_never.fresh_for = 0h;  // leaves a snapshot
    w.registry(fresh_never)->models("openai", ModelCategory::text).value();
  }
  w.airtable.stop();
  struct Lines {
    std::mutex mutex;
    std::vector<std::string> all;
  };
  struct Sink : spdlog::sinks::base_sink<std::mutex> {
    std::shared_ptr<Lines> lines;
    explicit Sink(std::shared_ptr<Lines> l) : lines(std::move(l)) {}
    void sink_it_(const spdlog::details::log_msg& m) override {
      std::lock_guard lock(lines->mutex);
      lines->all.emplace_back(m.payload.data(), m.payload.size());
    }
    void flush_() override {}
  };
  auto lines = std::make_shared<Lines>();
  RegistryOptions o;
  o.fresh_for = 0h;
  o.logger = std::make_shared<spdlog::logger>("test", std::make_shared<Sink>(lines));
  auto r = w.registry(o);
  w.listing.replace(w.listing.find("\"gpt-4-0613\""), 12, "\"gpt-6-new\"");  // something to write back
  r->models("openai", ModelCategory::text).value();
  REQUIRE(eventually([&] { return !r->stats().last_write_error.empty(); }));  // before: dropped, invisible
  auto stats = r->stats();
  CHECK_THAT(stats.last_write_error, Catch::Contains("connection_refused"));
  REQUIRE(stats.last_write_error_at);
  CHECK(std::chrono::system_clock::now() - *stats.last_write_error_at < 1h);
  bool logged = false;
  std::lock_guard lock(lines->mutex);
  for (const auto& line : lines->all) logged |= line.find("write-back stopped") != std::string::npos;
  CHECK(logged);
}

TEST_CASE("stress: 8 threads read, resolve and report while the cache expires and the write-back flushes", "[registry][stress]") {
  World w;
  w.verified_ago(0min);
  RegistryOptions o;
  o.cache_ttl = 5s;         // on the fake clock, which another thread moves on
  o.negative_ttl = 2s;
  o.discovery_interval = 3s;
  o.fresh_for = 0h;         // every refresh asks the provider, merges and writes back
  o.verify_interval = 1min;
  auto r = w.registry(o);
  std::atomic<bool> done{false};
  std::atomic<size_t> answers{0}, errors{0};
  std::thread ticker([&] {
    while (!done) {
      w.clock.advance(1s);
      std::this_thread::sleep_for(5ms);
    }
  });
  std::vector<std::thread> readers;
  for (int t = 0; t < 8; ++t)
    readers.emplace_back([&, t] {
      auto category = t % 2 ? ModelCategory::text : ModelCategory::tts;
      for (int i = 0; i < 300; ++i) {
        auto list = r->models("openai", category, i % 3 == 0);
        (list ? answers : errors).fetch_add(1);
        if (category == ModelCategory::text) {
          (void)r->resolve("openai", category, i % 2 ? "gpt-4o" : "no-such");
          r->report_verified("openai", i % 2 ? "gpt-4o" : "gpt-4o-mini");
        }
        if (i % 50 == 0) (void)r->stats();
      }
    });
  for (auto& t : readers) t.join();
  done = true;
  ticker.join();
  CHECK(errors == 0);
  CHECK(answers == 8 * 300);
  auto stats = r->stats();
  CHECK(stats.hits + stats.misses + stats.stale_served >= 8 * 300);
  r.reset();
  CHECK(w.records().size() >= 15);
}

TEST_CASE("the hot path answers as models() does, counts its hits, and follows expiry and edits", "[registry][hot_path]") {
  World w;
  RegistryOptions o;
  o.cache_ttl = 60s;
  auto r = w.registry(o);
  auto h = r->handle("openai");
  REQUIRE(r->handle("openai") == h);
  auto view = r->models_view(h, ModelCategory::text).value();
  CHECK(view->models.size() == 15);
  CHECK(view->models.size() == r->models("openai", ModelCategory::text).value()->models.size());
  REQUIRE(eventually([&] { return r->stats().outbox == 0; }));
  auto hits = r->stats().hits;
  for (int i = 0; i < 1000; ++i) (void)r->models_view(h, ModelCategory::text);
  CHECK(r->stats().hits >= hits + 1000);
  CHECK(r->resolve_view(h, ModelCategory::text, "gpt-4o").value()->rule == ResolveRule::requested);

  w.edit("gpt-4o", {{"Status", std::string("disabled")}});
  CHECK(count(r->models_view(h, ModelCategory::text).value()->models, "gpt-4o") == 1);  // cached for a minute
  w.clock.advance(61s);  // noticed by the expiry watch, not by the hit
  REQUIRE(eventually([&] { return count(r->models_view(h, ModelCategory::text).value()->models, "gpt-4o") == 0; }));
  CHECK(r->resolve_view(h, ModelCategory::text, "gpt-4o").value()->model_id != "gpt-4o");
  CHECK(count(r->models("openai", ModelCategory::text).value()->models, "gpt-4o") == 0);
}

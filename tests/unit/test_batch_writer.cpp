#include <catch2/catch.hpp>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "airreg/batch_writer.hpp"
#include "fake_airtable.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using airreg::AirtableClient;
using airreg::AirtableConfig;
using airreg::BatchWriter;
using airreg::BatchWriterOptions;
using airreg::ErrorCode;
using airreg::Fields;
using airreg::Outbox;
using airreg::test::FakeAirtable;
using airreg::test::FakeClock;
using airreg::test::TempDir;
using Scripted = FakeAirtable::Scripted;

namespace {

Fields model(int i, Fields more = {}) {
  more["Provider ID"] = std::string("openai");
  more["Model ID"] = "model-" + std::to_string(i);
  more["Model Name"] = "Model " + std::to_string(i);
  return more;
}

std::vector<Fields> models(int n) {
  std::vector<Fields> rows;
  for (int i = 0; i < n; ++i) rows.push_back(model(i));
  return rows;
}

// A writer on a fake Airtable, a fake clock and its own outbox directory.
struct Rig {
  FakeClock clock;
  std::shared_ptr<FakeAirtable> airtable = std::make_shared<FakeAirtable>(clock);
  TempDir dir;
  std::shared_ptr<Outbox> outbox = std::make_shared<Outbox>(dir.path());
  std::shared_ptr<airreg::RateLimiter> limiter = airreg::RateLimiter::per_second(5, clock.clock());

  AirtableClient client() {
    AirtableConfig config;
    config.token = "patSECRET.token";
    config.base_id = "appUNIT";
    config.endpoint_url = "http://127.0.0.1:1";
    AirtableClient c(config, airtable);
    c.set_rate_limiter(limiter);
    return c;
  }
  BatchWriter writer(BatchWriterOptions options = {}) {
    options.table = "AI Model Registry";
    options.merge_on = {"Provider ID", "Model ID"};
    return BatchWriter(client(), outbox, options, clock.clock());
  }
  // A writer whose flushes read the outbox `rows` rows at a time.
  BatchWriter writer_in_pages(size_t rows, BatchWriterOptions options = {}) {
    options.flush_page_rows = rows;
    return writer(options);
  }
  size_t waiting() { return outbox->waiting().value().size(); }
};

}  // namespace

TEST_CASE("rows go out as upserts of at most ten, merged on the key", "[batch_writer]") {
  Rig rig;
  auto report = rig.writer().write(models(25), {});
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() == 3);
  CHECK(seen[0].rows == 10);
  CHECK(seen[1].rows == 10);
  CHECK(seen[2].rows == 5);
  CHECK(seen[0].method == "PATCH");
  CHECK(report.written == 25);
  CHECK(report.created == 25);
  CHECK(report.requests == 3);
  CHECK(report.complete());
  CHECK(rig.airtable->rows().size() == 25);
  CHECK(rig.waiting() == 0);
}

TEST_CASE("writing the same data twice sends no request the second time", "[batch_writer]") {
  Rig rig;
  rig.writer().write(models(12), {});
  std::vector<airreg::AirtableRecord> current;
  for (auto& [key, fields] : rig.airtable->rows()) current.push_back({"rec", "", fields});
  size_t before = rig.airtable->seen().size();
  auto again = rig.writer().write(models(12), current);
  CHECK(rig.airtable->seen().size() == before);
  CHECK(again.unchanged == 12);
  CHECK(again.requests == 0);
  // One changed row: one request with one row.
  auto rows = models(12);
  rows[3]["Model Name"] = std::string("Renamed");
  auto third = rig.writer().write(rows, current);
  CHECK(third.requests == 1);
  CHECK(rig.airtable->seen().back().rows == 1);
}

TEST_CASE("requests are paced by the base's limiter: never six in one second, yet close to five per second", "[batch_writer]") {
  Rig rig;
  rig.writer().write(models(200), {});
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() == 20);
  for (size_t i = 5; i < seen.size(); ++i) CHECK(seen[i].at - seen[i - 5].at >= 1s);
  CHECK(FakeClock::ms(seen.back().at) == 3000);  // 20 requests: 0 s, 1 s, 2 s, 3 s
}

TEST_CASE("a 429 pauses for Retry-After and the same batch is sent again", "[batch_writer]") {
  Rig rig;
  rig.airtable->script({Scripted::answer(429, "7")});
  auto report = rig.writer().write(models(3), {});
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].at - seen[0].at >= 7s);
  CHECK(seen[1].at - seen[0].at < 8s);
  CHECK(seen[1].rows == 3);
  CHECK(report.rate_limited == 1);
  CHECK(report.retries == 1);
  CHECK(report.written == 3);
}

TEST_CASE("a 429 without Retry-After pauses for 30 seconds", "[batch_writer]") {
  Rig rig;
  rig.airtable->script({Scripted::answer(429)});
  rig.writer().write(models(1), {});
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() == 2);
  CHECK(seen[1].at - seen[0].at >= 30s);
}

TEST_CASE("a 429 seen by one thread holds back the other threads' requests to the base", "[batch_writer]") {
  Rig rig;
  rig.airtable->script({Scripted::answer(429)});
  BatchWriterOptions give_up;
  give_up.max_rate_limited = 0;  // the first writer stops at its 429 without waiting itself
  auto first = rig.writer(give_up).write(models(1), {});
  REQUIRE(first.rate_limited == 1);
  REQUIRE(FakeClock::ms(rig.clock.now()) == 0);
  std::vector<std::thread> others;
  for (int t = 0; t < 3; ++t)
    others.emplace_back([&, t] { rig.writer().write({model(100 + t)}, {}); });
  for (auto& t : others) t.join();
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() >= 2);
  for (size_t i = 1; i < seen.size(); ++i) CHECK(seen[i].at - seen[0].at >= 30s);
}

TEST_CASE("5xx answers and resets are retried with full-jitter backoff, doubling to the cap", "[batch_writer]") {
  Rig rig;
  rig.airtable->script({Scripted::answer(503), Scripted::answer(500), Scripted::fail(ErrorCode::connection_reset), Scripted::answer(502)});
  BatchWriterOptions options;
  options.backoff_base = 1000ms;
  options.backoff_cap = 5000ms;
  auto report = rig.writer(options).write(models(2), {});
  CHECK(report.written == 2);
  CHECK(report.retries == 4);
  // uniform() is 0.5 on the fake clock: half of 1, 2, 4 and then the 5 s cap.
  auto sleeps = rig.clock.sleeps();
  std::vector<FakeClock::Duration> backoffs;
  for (auto d : sleeps)
    if (d != 0s) backoffs.push_back(d);
  REQUIRE(backoffs.size() >= 4);
  CHECK(backoffs[0] == 500ms);
  CHECK(backoffs[1] == 1000ms);
  CHECK(backoffs[2] == 2000ms);
  CHECK(backoffs[3] == 2500ms);
}

TEST_CASE("after five failed tries the flush stops and the rows wait in the outbox", "[batch_writer]") {
  Rig rig;
  rig.airtable->script(std::vector<Scripted>(5, Scripted::answer(503)));
  auto report = rig.writer().write(models(15), {});
  CHECK(rig.airtable->seen().size() == 5);  // the first batch, five times; the second never
  REQUIRE(report.stopped);
  CHECK(report.stopped->code == ErrorCode::server_error);
  CHECK(report.waiting == 15);
  CHECK_FALSE(report.complete());
}

TEST_CASE("a refused row is isolated by splitting the batch; the others are written", "[batch_writer]") {
  Rig rig;
  auto rows = models(10);
  rows[2]["Bad"] = true;
  rows[7]["Bad"] = true;
  auto report = rig.writer().write(rows, {});
  CHECK(report.written == 8);
  REQUIRE(report.rejected.size() == 2);
  CHECK(report.rejected[0].key == "openai/model-2");
  CHECK(report.rejected[1].key == "openai/model-7");
  CHECK_THAT(report.rejected[0].message, Catch::Contains("INVALID_RECORDS"));
  CHECK(rig.airtable->rows().size() == 8);
  CHECK(rig.waiting() == 0);
  CHECK(rig.outbox->status().value().rejected == 2);
  CHECK_FALSE(report.stopped);
}

TEST_CASE("a 401 or 403 stops at once: one request, no retry, the rows kept", "[batch_writer]") {
  for (int status : {401, 403}) {
    CAPTURE(status);
    Rig rig;
    rig.airtable->script({Scripted::answer(status)});
    auto report = rig.writer().write(models(25), {});
    CHECK(rig.airtable->seen().size() == 1);
    REQUIRE(report.stopped);
    CHECK(report.stopped->code == (status == 401 ? ErrorCode::unauthorized : ErrorCode::forbidden));
    // A 403 names the scope the token lacks; neither shows the token.
    if (status == 403) CHECK_THAT(report.stopped->message, Catch::Contains("data.records:write"));
    CHECK_THAT(report.stopped->message, !Catch::Contains("patSECRET"));
    CHECK(report.waiting == 25);
  }
}

TEST_CASE("rows that could not be written are replayed by the next writer, oldest first", "[batch_writer]") {
  Rig rig;
  rig.airtable->script(std::vector<Scripted>(5, Scripted::answer(503)));
  rig.writer().write(models(3), {});
  REQUIRE(rig.waiting() == 3);
  auto report = rig.writer().write({model(7)}, {});
  CHECK(report.written == 4);
  CHECK(report.replayed == 3);
  CHECK(report.waiting == 0);
  auto seen = rig.airtable->seen();
  CHECK(seen.back().rows == 4);  // the three old rows and the new one share a request
  CHECK(rig.airtable->rows().size() == 4);
}

TEST_CASE("a crash after Airtable took the rows but before the outbox forgot them creates no duplicate", "[batch_writer]") {
  Rig rig;
  // The request is applied, then the connection drops: as if we crashed before mark_done.
  BatchWriterOptions once;
  once.max_attempts = 1;
  rig.airtable->script({Scripted::fail(ErrorCode::connection_reset, true)});
  auto crashed = rig.writer(once).write(models(5), {});
  REQUIRE(crashed.stopped);
  CHECK(rig.airtable->upserts_applied() == 1);
  CHECK(rig.waiting() == 5);
  auto replay = rig.writer().flush();
  CHECK(replay.written == 5);
  CHECK(rig.airtable->rows().size() == 5);  // updated, not created again
  CHECK(replay.created == 0);
  CHECK(replay.updated == 5);
  CHECK(rig.waiting() == 0);
}

TEST_CASE("cancel stops the flush; what is left waits in the outbox", "[batch_writer]") {
  Rig rig;
  auto writer = rig.writer();
  size_t calls = 0;
  writer.submit(models(30), {});
  auto report = writer.flush([&](const airreg::WriteProgress& p) {
    if (++calls == 1) writer.cancel();
    CHECK(p.rows_total == 30);
  });
  CHECK(report.written == 10);
  CHECK(report.waiting == 20);
  REQUIRE(report.stopped);
  CHECK(report.stopped->code == ErrorCode::cancelled);
}

TEST_CASE("progress counts rows, requests, retries and 429s", "[batch_writer]") {
  Rig rig;
  rig.airtable->script({Scripted::answer(429, "1"), Scripted::answer(500)});
  std::vector<airreg::WriteProgress> seen;
  rig.writer().write(models(20), {}, [&](const airreg::WriteProgress& p) { seen.push_back(p); });
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.back().rows_done == 20);
  CHECK(seen.back().rows_total == 20);
  CHECK(seen.back().requests == 4);
  CHECK(seen.back().retries == 2);
  CHECK(seen.back().rate_limited == 1);
}

TEST_CASE("several threads may submit while one flushes; every row lands once", "[batch_writer]") {
  Rig rig;
  auto writer = rig.writer();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      std::vector<Fields> rows;
      for (int i = 0; i < 25; ++i) rows.push_back(model(t * 100 + i));
      writer.submit(rows, {});
      writer.flush();
    });
  for (auto& t : threads) t.join();
  CHECK(rig.airtable->rows().size() == 100);
  CHECK(rig.waiting() == 0);
}

TEST_CASE("a row without its key is reported, not sent", "[batch_writer]") {
  Rig rig;
  Fields keyless{{"Provider ID", std::string("openai")}, {"Model Name", std::string("x")}};
  auto report = rig.writer().write({keyless, model(1)}, {});
  CHECK(report.written == 1);
  REQUIRE(report.rejected.size() == 1);
  CHECK_THAT(report.rejected[0].message, Catch::Contains("Model ID"));
}

TEST_CASE("a schema refusal stops the flush with what to fix: no splitting, nothing set aside", "[batch_writer]") {
  for (const char* type : {"UNKNOWN_FIELD_NAME", "INVALID_MULTIPLE_CHOICE_OPTIONS", "INVALID_REQUEST_UNKNOWN"}) {
    CAPTURE(type);
    Rig rig;
    auto rows = models(10);
    rows[4]["Refuse"] = std::string(type);
    auto report = rig.writer().write(rows, {});
    CHECK(rig.airtable->seen().size() == 1);  // before: 10 rows split down to single ones
    REQUIRE(report.stopped);
    CHECK(report.stopped->type == type);
    CHECK_THAT(report.stopped->message, Catch::Contains("airreg setup"));
    CHECK(report.rejected.empty());
    CHECK(rig.outbox->status().value().rejected == 0);
    CHECK(report.waiting == 10);  // every row still waits for the fix
  }
}

TEST_CASE("a row refused for one cell is written without it; its other cells land", "[batch_writer]") {
  Rig rig;
  auto rows = models(10);
  rows[3]["Refuse"] = std::string("INVALID_VALUE_FOR_COLUMN");
  rows[3]["Available"] = true;
  auto report = rig.writer().write(rows, {});
  CHECK(report.written == 10);
  CHECK(report.rejected.empty());
  REQUIRE(report.dropped_cells.size() == 1);
  CHECK(report.dropped_cells[0].key == "openai/model-3");
  CHECK(report.dropped_cells[0].field == "Refuse");
  auto landed = rig.airtable->rows().at("openai/model-3");
  CHECK(landed.at("Available") == airreg::FieldValue(true));
  CHECK(landed.count("Refuse") == 0);
  CHECK(rig.waiting() == 0);
}

TEST_CASE("a replay leaves out the people's cells a person changed since the merge; connector cells land", "[batch_writer]") {
  Rig rig;
  BatchWriterOptions guarded;
  guarded.guarded_fields = {"Notes", "Status"};
  // The table as the merge read it.
  rig.writer().write({model(1, {{"Notes", std::string("old")}})}, {});
  std::vector<airreg::AirtableRecord> read;
  for (auto& [key, fields] : rig.airtable->rows()) read.push_back({"rec1", "", fields});
  // The merge wants new notes and Available; Airtable is down: the rows wait.
  rig.airtable->script(std::vector<Scripted>(5, Scripted::answer(503)));
  auto down = rig.writer(guarded).write({model(1, {{"Notes", std::string("From the listing")}, {"Available", true}})}, read);
  REQUIRE(down.stopped);
  // Meanwhile a person writes their own notes.
  rig.airtable->person_edits("openai/model-1", {{"Notes", std::string("Mine")}});
  auto replay = rig.writer(guarded).flush();
  CHECK(replay.written == 1);
  CHECK(replay.conflicts == 1);
  auto row = rig.airtable->rows().at("openai/model-1");
  CHECK(row.at("Notes") == airreg::FieldValue(std::string("Mine")));
  CHECK(row.at("Available") == airreg::FieldValue(true));
  CHECK(replay.requests == 2);  // the re-read, then the write
}

TEST_CASE("a row the re-read leaves nothing to write counts as done: the progress ends full", "[batch_writer]") {
  Rig rig;
  BatchWriterOptions guarded;
  guarded.guarded_fields = {"Notes"};
  rig.writer().write({model(1, {{"Notes", std::string("old")}})}, {});
  std::vector<airreg::AirtableRecord> read;
  for (auto& [key, fields] : rig.airtable->rows()) read.push_back({"rec1", "", fields});
  auto writer = rig.writer(guarded);
  Fields notes_only{{"Provider ID", std::string("openai")}, {"Model ID", std::string("model-1")}, {"Notes", std::string("new")}};
  REQUIRE(writer.submit({notes_only}, read, nullptr, false).value() == 1);
  rig.airtable->person_edits("openai/model-1", {{"Notes", std::string("Mine")}});
  airreg::WriteProgress last;
  auto report = writer.flush([&](const airreg::WriteProgress& p) { last = p; });
  CHECK(report.conflicts == 1);
  CHECK(report.written == 0);
  CHECK(rig.waiting() == 0);
  CHECK(last.rows_total == 1);
  CHECK(last.rows_done == 1);
}

TEST_CASE("of several queued merges of one row, the newest decides the people's cells", "[batch_writer]") {
  Rig rig;
  BatchWriterOptions guarded;
  guarded.guarded_fields = {"Notes"};
  rig.writer().write({model(1, {{"Notes", std::string("first")}})}, {});
  std::vector<airreg::AirtableRecord> read;
  for (auto& [key, fields] : rig.airtable->rows()) read.push_back({"rec1", "", fields});
  auto writer = rig.writer(guarded);
  // An old merge set notes; a newer one (which saw a person's notes) left them out on purpose.
  REQUIRE(writer.submit({model(1, {{"Notes", std::string("Old merge")}})}, read));
  REQUIRE(writer.submit({model(1, {{"Notes", std::string("first")}, {"Available", true}})}, read));
  writer.flush();
  auto row = rig.airtable->rows().at("openai/model-1");
  CHECK(row.at("Notes") == airreg::FieldValue(std::string("first")));
  CHECK(row.at("Available") == airreg::FieldValue(true));
}

TEST_CASE("a flush reads the outbox a page of rows at a time, each row's entries in one page", "[batch_writer]") {
  Rig rig;
  BatchWriterOptions guarded;
  guarded.guarded_fields = {"Notes"};
  auto writer = rig.writer_in_pages(2, guarded);
  // model-1 is queued first and again last, after three other rows: its entries meet in the
  // first page (with model-2), and the newer entry decides its people's cells.
  REQUIRE(writer.submit({model(1, {{"Notes", std::string("old merge")}, {"Available", true}})}, {}));
  REQUIRE(writer.submit({model(2), model(3), model(4)}, {}));
  REQUIRE(writer.submit({model(1, {{"Max Tokens", 128000.0}})}, {}));
  auto report = writer.flush();
  auto seen = rig.airtable->seen();
  REQUIRE(seen.size() == 2);  // read whole, the four rows would go out in one request
  CHECK(seen[0].rows == 2);
  CHECK(seen[1].rows == 2);
  CHECK(report.written == 4);
  CHECK(report.complete());
  auto row = rig.airtable->rows().at("openai/model-1");
  CHECK(row.at("Max Tokens") == airreg::FieldValue(128000.0));
  CHECK(row.at("Available") == airreg::FieldValue(true));
  CHECK(row.count("Notes") == 0);  // the newer merge left the people's cell out
  CHECK(rig.waiting() == 0);
}

TEST_CASE("an update by record id never creates a row; a record that is gone is dropped", "[batch_writer]") {
  Rig rig;
  rig.writer().write({model(1)}, {});
  std::string id = "rec1";
  auto writer = rig.writer();
  REQUIRE(writer.submit_updates({{id, "", {{"Last Verified", std::string("2026-11-22T10:00:00.000Z")}}},
                                 {"recNOSUCH", "", {{"Last Verified", std::string("2026-11-22T10:00:00.000Z")}}}},
                                {"openai/model-1", "openai/typo"}));
  auto report = writer.flush();
  CHECK(report.gone == 1);
  CHECK(report.rejected.empty());
  CHECK(rig.airtable->rows().size() == 1);
  CHECK(rig.airtable->rows().at("openai/model-1").at("Last Verified") == airreg::FieldValue(std::string("2026-11-22T10:00:00.000Z")));
  CHECK(rig.waiting() == 0);
}

TEST_CASE("a flush waiting on the rate limiter's pause stops at once when cancelled", "[batch_writer]") {
  TempDir dir;
  FakeClock unused;
  auto airtable = std::make_shared<FakeAirtable>(unused);
  AirtableConfig config;
  config.token = "t";
  config.base_id = "appCANCEL";
  config.endpoint_url = "http://127.0.0.1:1";
  AirtableClient client(config, airtable);
  auto limiter = airreg::RateLimiter::per_second(5);  // the real clock
  limiter->pause_for(60s);                            // as after a 429
  client.set_rate_limiter(limiter);
  BatchWriterOptions options;
  options.table = "AI Model Registry";
  options.merge_on = {"Provider ID", "Model ID"};
  BatchWriter writer(client, std::make_shared<Outbox>(dir.path()), options);
  REQUIRE(writer.submit(models(3), {}));
  auto started = std::chrono::steady_clock::now();
  std::thread stopper([&] {
    std::this_thread::sleep_for(200ms);
    writer.cancel();
  });
  auto report = writer.flush();
  stopper.join();
  CHECK(std::chrono::steady_clock::now() - started < 10s);  // not the 60 s pause
  REQUIRE(report.stopped);
  CHECK(report.stopped->code == ErrorCode::cancelled);
  CHECK(report.waiting == 3);
}

TEST_CASE("with pages, progress counts every row of the flush from the start; the bar is full only at the end", "[batch_writer]") {
  Rig rig;
  auto writer = rig.writer_in_pages(10);
  REQUIRE(writer.submit(models(30), {}));
  std::vector<airreg::WriteProgress> seen;
  auto report = writer.flush([&](const airreg::WriteProgress& p) { seen.push_back(p); });
  REQUIRE(report.complete());
  REQUIRE_FALSE(seen.empty());
  CHECK(seen.front().rows_total == 30);
  for (auto& p : seen) CHECK(p.rows_done <= p.rows_total);
  size_t full_before_end = 0;
  for (size_t i = 0; i + 1 < seen.size(); ++i) full_before_end += seen[i].rows_done == seen[i].rows_total;
  CHECK(full_before_end == 0);  // the bar reaches 100% only at the end
}

TEST_CASE("cancel between pages leaves the later pages waiting", "[batch_writer]") {
  Rig rig;
  auto writer = rig.writer_in_pages(10);
  REQUIRE(writer.submit(models(30), {}));
  size_t calls = 0;
  auto report = writer.flush([&](const airreg::WriteProgress&) { if (++calls == 1) writer.cancel(); });
  CHECK(report.written == 10);
  CHECK(report.waiting == 20);
  REQUIRE(report.stopped);
}

TEST_CASE("with pages, every entry of a refused row moves aside; the other rows land", "[batch_writer]") {
  Rig rig;
  auto writer = rig.writer_in_pages(2);
  REQUIRE(writer.submit({model(1, {{"Bad", true}}), model(2), model(3), model(4)}, {}));
  REQUIRE(writer.submit({model(1, {{"Max Tokens", 5.0}})}, {}));
  auto report = writer.flush();
  CHECK(report.written == 3);
  REQUIRE(report.rejected.size() == 1);
  CHECK(rig.outbox->status().value().rejected == 2);
  CHECK(rig.waiting() == 0);
}

TEST_CASE("newer versions submitted during flushes of tiny pages always win", "[batch_writer]") {
  for (size_t page : {1u, 2u, 3u, 7u}) {
    CAPTURE(page);
    Rig rig;
    auto writer = rig.writer_in_pages(page);
    std::atomic<bool> done{false};
    std::thread flusher([&] {
      while (!done) writer.flush();
      writer.flush();
    });
    for (int v = 0; v < 40; ++v) {
      std::vector<Fields> rows;
      for (int i = 0; i < 6; ++i) rows.push_back(model(i, {{"Max Tokens", double(v)}, {"V" + std::to_string(v % 5), true}}));
      REQUIRE(writer.submit(rows, {}));
    }
    done = true;
    flusher.join();
    CHECK(rig.waiting() == 0);
    auto held = rig.airtable->rows();
    REQUIRE(held.size() == 6);
    for (auto& [k, f] : held) CHECK(f.at("Max Tokens") == airreg::FieldValue(39.0));
  }
}

TEST_CASE("a writer whose rows another writer's flush lands forgets them", "[batch_writer]") {
  // The registry's history writer queues rows that the registry writer's flush writes (one
  // outbox, every table): its ids stayed queued for the life of the process.
  Rig rig;
  auto registry = rig.writer();
  BatchWriterOptions history_options;
  history_options.table = "Model Sync History";
  history_options.merge_on = {"Run ID"};
  BatchWriter history(rig.client(), rig.outbox, history_options, rig.clock.clock());
  REQUIRE(history.submit({Fields{{"Run ID", std::string("run-1")}}, Fields{{"Run ID", std::string("run-2")}}}, {}).value() == 2);
  REQUIRE(registry.submit(models(3), {}).value() == 3);
  CHECK(history.unsettled() == 2);
  // Nothing landed yet: nothing is forgotten.
  REQUIRE(history.forget_settled());
  CHECK(history.unsettled() == 2);

  auto report = registry.flush();
  REQUIRE(report.complete());
  CHECK(rig.waiting() == 0);
  CHECK(registry.unsettled() == 0);
  REQUIRE(history.forget_settled());
  CHECK(history.unsettled() == 0);
}

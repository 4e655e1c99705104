// The batch writer against airtable-local over loopback HTTP: pacing under a real limit,
// faults, and an outage in the middle of a run.
#include <catch2/catch.hpp>

#include <thread>

#include "airreg/batch_writer.hpp"
#include "local_config.hpp"
#include "local_server.hpp"
#include "registry_tables.hpp"
#include "temp_dir.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::local_config;
using airreg::test::LocalServer;
using airreg::test::set_up_registry_tables;
using airreg::test::TempDir;

namespace {

const char* kTable = "AI Model Registry";

std::vector<Fields> model_rows(int n, const std::string& provider = "openai") {
  std::vector<Fields> rows;
  for (int i = 0; i < n; ++i) {
    std::string id = "model-" + std::to_string(i);
    rows.push_back({{"Model Key", provider + "/" + id}, {"Provider ID", provider}, {"Model ID", id},
                    {"Model Name", "Model " + std::to_string(i)}, {"Max Tokens", 1000.0 + i}, {"Available", true}});
  }
  return rows;
}

std::vector<AirtableRecord> all_rows(const AirtableClient& client) {
  for (int attempt = 0; attempt < 20; ++attempt)
    if (auto rows = client.list(kTable)) return *rows;
  FAIL("could not list the rows");
  return {};
}

BatchWriterOptions registry_options() {
  BatchWriterOptions o;
  o.table = kTable;
  o.merge_on = {"Provider ID", "Model ID"};
  return o;
}

// Every row once, with the cells it was written with.
void check_landed_exactly(const AirtableClient& client, const std::vector<Fields>& rows) {
  auto held = all_rows(client);
  REQUIRE(held.size() == rows.size());
  std::map<std::string, Fields> by_key;
  for (auto& r : held) by_key[std::get<std::string>(r.fields.at("Model Key"))] = r.fields;
  REQUIRE(by_key.size() == rows.size());
  for (const auto& row : rows) {
    const auto& got = by_key.at(std::get<std::string>(row.at("Model Key")));
    for (const auto& [name, value] : row) CHECK(got.at(name) == value);
  }
}

}  // namespace

TEST_CASE("1,000 rows land exactly under a 5 req/s limit, in 100 requests and with no 429", "[batch_writer][integration]") {
  LocalServer server({"--rate-limit", "5", "--penalty-seconds", "2"});
  TempDir state;
  AirtableConfig config = local_config(server);
  config.max_requests_per_second = 5;
  AirtableClient client(config, make_curl_transport());
  client.set_rate_limiter(RateLimiter::per_second(5));  // this test's own, not the process's
  set_up_registry_tables(client);
  auto rows = model_rows(1000);
  BatchWriter writer(client, std::make_shared<Outbox>(state.path()), registry_options());
  auto report = writer.write(rows, {});
  CHECK(report.complete());
  CHECK(report.written == 1000);
  CHECK(report.created == 1000);
  CHECK(report.requests == 100);
  CHECK(report.rate_limited == 0);
  CHECK(report.retries == 0);
  check_landed_exactly(client, rows);
  // Nothing changed: a second write sends nothing.
  size_t before = client.request_count();
  auto again = writer.write(rows, all_rows(client));
  CHECK(again.unchanged == 1000);
  CHECK(client.request_count() == before + 10);  // the ten listing pages above, no write
}

TEST_CASE("with failing and dropped requests every row still lands, once", "[batch_writer][integration]") {
  LocalServer server({"--rate-limit", "0", "--fail-rate", "0.15", "--drop-rate", "0.15", "--seed", "7"});
  TempDir state;
  AirtableClient client(local_config(server), make_curl_transport());
  set_up_registry_tables(client);
  auto rows = model_rows(300);
  BatchWriterOptions options = registry_options();
  options.backoff_base = 10ms;  // the sequence is the unit tests' business; keep this one quick
  options.backoff_cap = 100ms;
  auto outbox = std::make_shared<Outbox>(state.path());
  BatchWriter writer(client, outbox, options);
  auto report = writer.write(rows, {});
  CHECK(report.retries > 0);
  // A batch that failed five times waits in the outbox; the next flush takes it.
  for (int i = 0; i < 5 && report.waiting > 0; ++i) report = writer.flush();
  CHECK(report.waiting == 0);
  check_landed_exactly(client, rows);
}

TEST_CASE("when Airtable goes away mid-run the rows wait in the outbox and land after it is back", "[batch_writer][integration]") {
  LocalServer server;
  TempDir state;
  AirtableClient client(local_config(server), make_curl_transport());
  set_up_registry_tables(client);
  auto rows = model_rows(200);
  BatchWriterOptions options = registry_options();
  options.backoff_base = 10ms;
  options.backoff_cap = 50ms;
  auto outbox = std::make_shared<Outbox>(state.path());
  {
    BatchWriter writer(client, outbox, options);
    auto report = writer.write(rows, {}, [&](const WriteProgress& p) {
      if (p.rows_done == 50 && server.running()) server.stop();
    });
    REQUIRE(report.stopped);
    CHECK(report.stopped->code == ErrorCode::connection_refused);
    CHECK(report.written == 50);
    CHECK(report.waiting == 150);
  }
  CHECK(outbox->status().value().waiting == 150);
  server.restart();
  // A new writer (a new process, as far as the outbox knows) replays what waits.
  BatchWriter next(client, outbox, options);
  auto replay = next.flush();
  CHECK(replay.complete());
  CHECK(replay.written == 150);
  CHECK(replay.replayed == 150);
  check_landed_exactly(client, rows);
}

// One row of the registry, written once (Model Name "A", Metadata "m-A") and read back;
// `older` is an earlier merge's entry for it (B, m-B), `newer` a later merge's from the same
// read, which leaves Model Name out (the table held the listing's value) and writes Metadata.
struct RereadWorld {
  LocalServer server{{"--rate-limit", "0"}};
  TempDir state;
  AirtableClient client{local_config(server), make_curl_transport()};
  std::unique_ptr<BatchWriter> writer;
  std::vector<AirtableRecord> read;
  Fields older, newer;

  RereadWorld() {
    set_up_registry_tables(client);
    BatchWriterOptions options = registry_options();
    options.guarded_fields = {"Model Name", "Metadata"};
    writer = std::make_unique<BatchWriter>(client, std::make_shared<Outbox>(state.path()), options);
    Fields key{{"Model Key", std::string("openai/gpt-x")}, {"Provider ID", std::string("openai")}, {"Model ID", std::string("gpt-x")}};
    Fields as_read = key;
    as_read["Model Name"] = std::string("A");
    as_read["Metadata"] = std::string("m-A");
    REQUIRE(writer->write({as_read}, {}).complete());
    read = all_rows(client);
    older = key;
    older["Model Name"] = std::string("B");
    older["Metadata"] = std::string("m-B");
    newer = key;
    newer["Available"] = true;
    newer["Metadata"] = std::string("m-A2");
  }

  // The older entry's cells stand with its Metadata; the newer one's connector cell lands.
  void check_consistent() {
    auto held = all_rows(client);
    REQUIRE(held.size() == 1);
    check_row(held[0].fields, "B", "m-B");
  }

  // A second writer on the same outbox, reading it one row per page.
  BatchWriter paged_writer() {
    BatchWriterOptions options = registry_options();
    options.guarded_fields = {"Model Name", "Metadata"};
    options.flush_page_rows = 1;
    return BatchWriter(client, std::make_shared<Outbox>(state.path()), options);
  }
  static Fields other_row() {
    return {{"Model Key", std::string("openai/other")}, {"Provider ID", std::string("openai")}, {"Model ID", std::string("other")}};
  }
  // gpt-x holds this name and Metadata (written together) and the newer entry's connector cell.
  static void check_row(const Fields& row, const std::string& name, const std::string& metadata) {
    CHECK(row.at("Model Name") == FieldValue(name));
    CHECK(row.at("Metadata") == FieldValue(metadata));
    CHECK(row.at("Available") == FieldValue(true));
  }
  void check_beside_other(const std::string& name, const std::string& metadata) {
    auto held = all_rows(client);
    REQUIRE(held.size() == 2);
    for (auto& r : held)
      if (r.fields.at("Model ID") == FieldValue(std::string("gpt-x"))) check_row(r.fields, name, metadata);
  }
};

TEST_CASE("a row queued again while a flush writes its older entry is checked against the table, not sent as read",
          "[batch_writer][integration]") {
  // The registry's flusher runs while a refresh still queues batches: an older entry of a row
  // (waiting from an earlier run) can land in one pass and the refresh's entry of the same row,
  // made from a read before that landed, come in the next. Sent as read, its Metadata would
  // claim a Model Name the table no longer holds, and the next merge would take the name for
  // a person's.
  RereadWorld w;
  REQUIRE(w.writer->submit({w.older}, w.read).value() == 1);
  bool queued = false;
  auto report = w.writer->flush([&](const WriteProgress&) {
    if (queued) return;
    queued = true;
    REQUIRE(w.writer->submit({w.newer}, w.read, nullptr, true).value() == 1);
  });
  REQUIRE(queued);
  CHECK(report.complete());
  w.check_consistent();
}

TEST_CASE("a row written by one flush and queued again from an earlier read is checked in the next flush",
          "[batch_writer][integration]") {
  // The same across two flushes: one flush (woken by another provider's rows) lands the older
  // entry; then a refresh whose merge read the table before that queues the row as read.
  RereadWorld w;
  REQUIRE(w.writer->write({w.older}, w.read).complete());
  REQUIRE(w.writer->submit({w.newer}, w.read, nullptr, true).value() == 1);
  CHECK(w.writer->flush().complete());
  w.check_consistent();
}

TEST_CASE("an older and a newer entry of a row, another row queued between, meet in one page of one row", "[batch_writer][integration]") {
  RereadWorld w;
  BatchWriter paged = w.paged_writer();
  REQUIRE(paged.submit({w.older}, w.read).value() == 1);
  REQUIRE(paged.submit({RereadWorld::other_row()}, {}).value() == 1);
  REQUIRE(paged.submit({w.newer}, w.read, nullptr, true).value() == 1);
  CHECK(paged.flush().complete());
  // Merged: the newer entry's guarded cells replace the older's, and the table still holds
  // what both merges saw.
  w.check_beside_other("A", "m-A2");
}

TEST_CASE("a newer entry queued as read while an earlier page is written is checked against the table", "[batch_writer][integration]") {
  RereadWorld w;
  BatchWriter paged = w.paged_writer();
  REQUIRE(paged.submit({RereadWorld::other_row()}, {}).value() == 1);
  REQUIRE(paged.submit({w.older}, w.read).value() == 1);
  bool queued = false;
  auto report = paged.flush([&](const WriteProgress&) {
    if (queued) return;
    queued = true;
    REQUIRE(paged.submit({w.newer}, w.read, nullptr, true).value() == 1);
  });
  REQUIRE(queued);
  CHECK(report.complete());
  w.check_beside_other("B", "m-B");
}

TEST_CASE("a replay's re-read of 100 long keys is one request, whatever its URL's length", "[batch_writer][integration]") {
  // The client sent GETs of up to 15,000 characters (Airtable takes 16,000), but a request
  // target over 8 KiB is refused by proxies and by airtable-local (cpp-httplib, HTTP 414): a
  // replay of 100 rows with long ids stopped every flush there. Past 8,000 it is a POST.
  LocalServer server({"--rate-limit", "0"});
  TempDir state;
  AirtableClient client(local_config(server), make_curl_transport());
  set_up_registry_tables(client);
  BatchWriterOptions options = registry_options();
  options.guarded_fields = {"Model Name"};
  BatchWriter writer(client, std::make_shared<Outbox>(state.path()), options);
  std::vector<Fields> rows;
  for (int i = 0; i < 100; ++i) {
    std::string id = "a-model-with-a-long-name-as-providers-give-them-" + std::to_string(i);
    rows.push_back({{"Model Key", "openai/" + id}, {"Provider ID", std::string("openai")}, {"Model ID", id},
                    {"Model Name", "Name " + std::to_string(i)}});
  }
  // Queued from a snapshot (not read just now): the flush reads the 100 keys again first.
  REQUIRE(writer.submit(rows, std::vector<AirtableRecord>{}, nullptr, false).value() == 100);
  auto report = writer.flush();
  INFO((report.stopped ? report.stopped->describe() : std::string("not stopped")));
  CHECK(report.complete());
  CHECK(report.written == 100);
  CHECK(report.requests == 11);  // one read of the 100 keys, ten writes
  check_landed_exactly(client, rows);
}

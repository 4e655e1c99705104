// The snapshot kept in the state directory: written a piece at a time into its cell, it loads
// back as the very snapshot saved, a smaller one after a bigger leaves nothing of the bigger,
// and a snapshot stored as one text value (airreg before 0.9) still loads.
#include <catch2/catch.hpp>

#include <random>

#include "core/sqlite_db.hpp"
#include "core/time_text.hpp"
#include "providers/listing_pieces.hpp"
#include "registry/snapshot_codec.hpp"
#include "registry/snapshot_store.hpp"
#include "registry_schema.hpp"
#include "temp_dir.hpp"

using namespace airreg;
using registry::TableSnapshot;

namespace {

const airtable::Columns& columns() { return test::registry_columns(); }

// A table of `n` records of a few providers, with the parts a snapshot keeps besides them.
TableSnapshot random_snapshot(std::mt19937& random, int n) {
  TableSnapshot s;
  for (int i = 0; i < n; ++i) {
    Fields f{{columns().cell("provider_id"), std::string(random() % 2 ? "openai" : "mistral")},
             {columns().cell("model_id"), "m-" + std::to_string(i) + std::string(random() % 40, 'x')},
             {columns().cell("status"), std::string(random() % 2 ? "active" : "pending")},
             {columns().cell("notes"), std::string("a \"quoted\" note\nover two lines, é ") + std::to_string(random())}};
    if (random() % 2) f[columns().cell("features")] = std::vector<std::string>{"chat", "tools"};
    if (random() % 2) f[columns().cell("input_cost")] = 0.001 * static_cast<double>(random() % 1000);
    s.records.add(AirtableRecord{"rec" + std::to_string(i), "", std::move(f)});
  }
  s.version = random();
  s.read_at = s.full_read_at = s.history_read_at = SystemTime(std::chrono::seconds(1'790'000'000 + random() % 1000));
  s.last_listed["openai"] = s.read_at;
  s.warnings.push_back("row rec7: a status nobody knows");
  s.parse_records(columns());
  return s;
}

}  // namespace

TEST_CASE("a snapshot is handed on in pieces that join into its text", "[snapshot_store]") {
  std::mt19937 random(11);
  auto snapshot = random_snapshot(random, 3000);
  std::string joined;
  size_t pieces = 0, largest = 0;
  registry::write_snapshot(snapshot, columns(), [&](std::string_view piece) {
    joined += piece;
    ++pieces;
    largest = std::max(largest, piece.size());
  });
  CHECK(joined == registry::encode_snapshot(snapshot, columns()));
  CHECK(pieces > joined.size() / registry::kSnapshotPieceBytes);
  CHECK(largest < registry::kSnapshotPieceBytes + 1000);  // a piece ends after the record that fills it
}

TEST_CASE("a saved snapshot loads back as saved; a smaller one after it leaves nothing of it", "[snapshot_store]") {
  test::TempDir dir;
  std::mt19937 random(5);
  for (int n : {3000, 10, 0, 700}) {
    INFO(n << " records");
    auto snapshot = random_snapshot(random, n);
    registry::SnapshotStore store(dir.path());
    REQUIRE(store.save("appBASE", snapshot, columns()));
    // Read by another store, as after a restart.
    std::string why;
    auto loaded = registry::SnapshotStore(dir.path()).load("appBASE", columns(), &why);
    REQUIRE(loaded);
    CHECK(registry::encode_snapshot(*loaded, columns()) == registry::encode_snapshot(snapshot, columns()));
    CHECK(loaded->parsed.rows.size() == snapshot.parsed.rows.size());
    CHECK(loaded->version == snapshot.version);
    CHECK(loaded->read_at == snapshot.read_at);
  }
  CHECK_FALSE(registry::SnapshotStore(dir.path()).load("appOTHER", columns()));  // per base
}

TEST_CASE("a snapshot stored as one text value, as airreg wrote it before, still loads", "[snapshot_store]") {
  test::TempDir dir;
  std::mt19937 random(3);
  auto snapshot = random_snapshot(random, 200);
  REQUIRE(registry::SnapshotStore(dir.path()).save("appBASE", random_snapshot(random, 5), columns()));
  {
    auto db = core::Database::open(dir.path() / "state.db", "");
    REQUIRE(db);
    auto update = db->prepare("UPDATE snapshots SET version = ?1, read_at = ?2, body = ?3 WHERE base = 'appBASE'");
    REQUIRE(update);
    update->bind(1, static_cast<int64_t>(snapshot.version)).bind(2, core::format_utc(snapshot.read_at));
    REQUIRE(update->bind(3, registry::encode_snapshot(snapshot, columns())).run());
  }
  auto loaded = registry::SnapshotStore(dir.path()).load("appBASE", columns());
  REQUIRE(loaded);
  CHECK(registry::encode_snapshot(*loaded, columns()) == registry::encode_snapshot(snapshot, columns()));
}

TEST_CASE("a blob is written in order within its size; past it is an error, and a rollback keeps the old value", "[snapshot_store]") {
  test::TempDir dir;
  auto db = core::Database::open(dir.path() / "blob.db", "CREATE TABLE t (k TEXT PRIMARY KEY, v BLOB);");
  REQUIRE(db);
  REQUIRE(db->exec("INSERT INTO t VALUES ('a', 'old')"));
  REQUIRE(db->begin());
  {
    auto update = db->prepare("UPDATE t SET v = ?1 WHERE k = 'a'");
    REQUIRE(update);
    REQUIRE(update->bind_zeroblob(1, 10).run());
    auto blob = db->open_blob("t", "v", 1);
    REQUIRE(blob);
    CHECK(blob->size() == 10);
    CHECK(blob->append("hello "));
    auto past = blob->append("world");
    REQUIRE_FALSE(past);
    CHECK_THAT(past.error().message, Catch::Contains("11 bytes into a cell of 10"));
    CHECK(blob->append("all!"));
    CHECK(blob->written() == 10);
    auto no_row = db->open_blob("t", "v", 99);
    CHECK_FALSE(no_row);
  }
  db->rollback();
  auto read = db->prepare("SELECT v FROM t WHERE k = 'a'");
  REQUIRE(read);
  REQUIRE(read->step().value());
  CHECK(read->text(0) == "old");
}

TEST_CASE("a transaction whose body fails or throws is rolled back, and the connection writes again", "[snapshot_store]") {
  test::TempDir dir;
  auto db = core::Database::open(dir.path() / "tx.db", "CREATE TABLE t (k TEXT PRIMARY KEY, v TEXT);");
  REQUIRE(db);
  REQUIRE(db->exec("INSERT INTO t VALUES ('a', 'old')"));
  auto value = [&] {
    auto read = db->prepare("SELECT v FROM t WHERE k = 'a'");
    REQUIRE(read);
    REQUIRE(read->step().value());
    return read->text(0);
  };
  auto failed = core::in_transaction(*db, [&]() -> Result<void> {
    REQUIRE(db->exec("UPDATE t SET v = 'half' WHERE k = 'a'"));
    return std::unexpected(make_error(ErrorCode::io, "the body gave up"));
  });
  CHECK_FALSE(failed);
  CHECK(value() == "old");
  // Thrown (an allocation that failed, say): rolled back all the same, not left open with
  // the file's write lock.
  CHECK_THROWS_AS(core::in_transaction(*db, [&]() -> Result<void> {
                    REQUIRE(db->exec("UPDATE t SET v = 'half' WHERE k = 'a'"));
                    throw std::bad_alloc();
                  }),
                  std::bad_alloc);
  CHECK(value() == "old");
  CHECK(core::in_transaction(*db, [&] { return db->exec("UPDATE t SET v = 'new' WHERE k = 'a'"); }));
  CHECK(value() == "new");
}

TEST_CASE("a snapshot's records are read in pieces, and read as the whole text reads them", "[snapshot_store]") {
  std::mt19937 random(17);
  for (int n : {0, 1, 40, 3000}) {
    INFO(n << " records");
    auto snapshot = random_snapshot(random, n);
    std::string text = registry::encode_snapshot(snapshot, columns());
    // In pieces of 8 bytes (every record cut), of the usual 64 KiB, and whole.
    for (size_t piece_bytes : {size_t{8}, registry::kSnapshotPieceBytes, size_t{0}}) {
      auto decoded = registry::decode_snapshot(text, columns(), nullptr, piece_bytes);
      REQUIRE(decoded);
      CHECK(registry::encode_snapshot(*decoded, columns()) == text);
      CHECK(decoded->parsed.rows.size() == snapshot.parsed.rows.size());
      CHECK(decoded->parsed.warnings == snapshot.parsed.warnings);
    }
    if (n == 3000) {  // really cut: more than one piece, every one read
      size_t pieces = 0;
      std::string body = text;
      auto outcome = providers::read_list_in_pieces("the snapshot", body, "records", registry::kSnapshotPieceBytes,
                                                    [&](providers::JsonListing&, providers::array&, size_t) { return ++pieces > 0; });
      CHECK(outcome == providers::PiecesOutcome::read);
      CHECK(pieces > 5);
      CHECK(body == text);
    }
  }
}

TEST_CASE("a snapshot whose pieces cannot be read is read whole, or is the error the whole text gives", "[snapshot_store]") {
  std::mt19937 random(19);
  auto snapshot = random_snapshot(random, 2000);
  // Notes holding "},{" put cuts inside strings: the pieces are abandoned, the whole is read.
  for (size_t i = 0; i < snapshot.records.size(); i += 7) {
    auto r = snapshot.records.record(i);
    r.fields[columns().cell("notes")] = std::string(R"(see {"a":1},{"b":2} and }, {)");
    snapshot.records.set(i, r);
  }
  snapshot.parse_records(columns());
  std::string text = registry::encode_snapshot(snapshot, columns());
  std::string body = text;  // abandoned indeed: cut at every "},{", inside the notes too
  CHECK(providers::read_list_in_pieces("the snapshot", body, "records", 8, [](auto&&...) { return true; }) ==
        providers::PiecesOutcome::abandoned);
  for (size_t piece_bytes : {size_t{8}, registry::kSnapshotPieceBytes}) {
    auto decoded = registry::decode_snapshot(text, columns(), nullptr, piece_bytes);
    REQUIRE(decoded);
    CHECK(registry::encode_snapshot(*decoded, columns()) == text);
  }

  // Members after "records" (airreg writes none; a hand-made snapshot may): read as the whole
  // text reads them, not lost with the last piece.
  std::string after = R"({"last_listed":{},"records":[{"id":"a","fields":{}},{"id":"b","fields":{}},{"id":"c","fields":{}}],)"
                      R"("version":7,"warnings":["w"]})";
  auto in_pieces = registry::decode_snapshot(after, columns(), nullptr, 8);
  REQUIRE(in_pieces);
  CHECK(in_pieces->version == 7);
  CHECK(in_pieces->warnings == std::vector<std::string>{"w"});
  CHECK(in_pieces->records.size() == 3);

  // Broken in the middle, or cut short: no snapshot, and the reason.
  std::string middle = text;
  size_t between = middle.find(R"(}},{"id":)", middle.size() / 2);  // the comma between two records
  REQUIRE(between != std::string::npos);
  middle[between + 2] = '@';
  for (std::string broken : {middle, text.substr(0, text.size() - 3),
                             std::string(R"({"version":1,"records":[]})")}) {
    std::string why;
    CHECK_FALSE(registry::decode_snapshot(broken, columns(), &why));
    CHECK(why == "the snapshot is not the JSON airreg writes");
  }
}

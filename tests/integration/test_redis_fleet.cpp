// The Redis fleet's own promises, one instance against a real redis-server on a free loopback
// port: the shared snapshot (sent in pieces, stored only when no later read or change is
// there) and the request budget.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "fleet/fleet.hpp"
#include "fleet/redis_snapshot.hpp"
#include "fleet/redis_url.hpp"
#include "redis_server.hpp"

using namespace std::chrono_literals;
using namespace airreg;
using airreg::test::RedisServer;

namespace {

std::shared_ptr<fleet::Fleet> fleet_on(const RedisServer& redis, double requests_per_second = 5) {
  fleet::FleetConfig config;
  config.redis_url = redis.url();
  config.base_id = "appFLEETTEST00001";
  config.instance = "test";
  config.max_requests_per_second = requests_per_second;
  config.timeout = 2s;  // a loaded CI machine
  return fleet::connect_fleet(config).value();
}

// A body of `n` bytes that no two offsets of share a pattern with (a piece lost or sent twice
// shows), handed on in pieces of 1 to 65,536 bytes, an empty one among them.
struct Body {
  std::string text;
  explicit Body(size_t n, char tag = 'a') {
    for (size_t i = 0; text.size() < n; ++i) text += tag + std::to_string(i) + ",";
    text.resize(n);
  }
  fleet::Fleet::SnapshotText pieces(std::function<void(size_t)> after_piece = {}) const {
    return [this, after_piece](const std::function<void(std::string_view)>& piece) {
      size_t at = 0, k = 0;
      while (at < text.size()) {
        static const size_t sizes[] = {1, 0, 40'000, 7, 65'536, 333};
        size_t size = std::min(sizes[k % std::size(sizes)], text.size() - at);
        piece(std::string_view(text).substr(at, size));
        at += size;
        ++k;
        if (after_piece) after_piece(k);
      }
    };
  }
};

std::string staging_keys(const RedisServer& redis) { return redis.cli("--scan --pattern '*snapshot:staging*'"); }
std::string text_keys(const RedisServer& redis) { return redis.cli("--scan --pattern '*snapshot:text*'"); }
std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}
const std::string kSnapshotKey = "'airreg:v1:{appFLEETTEST00001}:snapshot'";

}  // namespace

TEST_CASE("the shared snapshot goes to Redis in pieces and comes back whole", "[fleet][redis]") {
  RedisServer redis;
  auto fleet = fleet_on(redis);
  Body body(1'500'000);
  auto seq = fleet->begin_read();
  REQUIRE(seq);
  REQUIRE(fleet->put_snapshot(*seq, body.pieces(), 60s));
  auto shared = fleet->snapshot(0);
  REQUIRE(shared);
  CHECK(shared->seq == *seq);
  CHECK(shared->body.size() == body.text.size());
  CHECK(shared->body == body.text);
  CHECK(staging_keys(redis).empty());
  CHECK_FALSE(fleet->snapshot(*seq));  // nothing newer

  SECTION("a read that began before the stored one is refused, and leaves nothing behind") {
    auto earlier = fleet->begin_read();
    auto later = fleet->begin_read();
    Body newer(200'000), older(100'000);
    REQUIRE(fleet->put_snapshot(*later, newer.pieces(), 60s));
    CHECK_FALSE(fleet->put_snapshot(*earlier, older.pieces(), 60s));
    CHECK_FALSE(fleet->put_snapshot(*later, older.pieces(), 60s));  // nor the same read twice
    CHECK(staging_keys(redis).empty());
    CHECK(fleet->snapshot(0)->body == newer.text);
    // The text replaced stays a few seconds, for a reader amid its pieces, then goes.
    auto texts = text_keys(redis);
    CHECK(std::count(texts.begin(), texts.end(), '\n') == 2);
    auto current = trimmed(redis.cli("HGET " + kSnapshotKey + " text"));
    for (size_t at = 0, end; (end = texts.find('\n', at)) != std::string::npos; at = end + 1) {
      auto key = texts.substr(at, end - at);
      long long ttl = std::stoll(redis.cli("PTTL '" + key + "'"));
      if (key == current) CHECK(ttl > 50'000);
      else CHECK((ttl > 0 && ttl <= 10'000));
    }
  }

  SECTION("a read that began before the table changed is refused") {
    auto before_change = fleet->begin_read();
    fleet->invalidate_snapshot();
    CHECK_FALSE(fleet->put_snapshot(*before_change, Body(10'000).pieces(), 60s));
    CHECK_FALSE(fleet->snapshot(0));
    CHECK(staging_keys(redis).empty());
    CHECK(text_keys(redis).empty());  // its text went with it
  }

  SECTION("a snapshot stored whole by an earlier airreg (a rolling upgrade) is read as it is") {
    fleet->invalidate_snapshot();
    auto next = fleet->begin_read();
    redis.cli("HSET " + kSnapshotKey + " seq " + std::to_string(*next) + " body 'stored whole'");
    auto shared = fleet->snapshot(0);
    REQUIRE(shared);
    CHECK(shared->seq == *next);
    CHECK(shared->body == "stored whole");
    // And replaced by this one's kind.
    auto after = fleet->begin_read();
    REQUIRE(fleet->put_snapshot(*after, body.pieces(), 60s));
    CHECK(fleet->snapshot(0)->body == body.text);
    CHECK(trimmed(redis.cli("HEXISTS " + kSnapshotKey + " body")) == "0");
    // An earlier airreg reads `seq` and `body`: it finds no snapshot (it found an empty body,
    // and asked again in a tight loop), and reads Airtable as it would without one.
    CHECK(trimmed(redis.cli("HEXISTS " + kSnapshotKey + " seq")) == "0");
    // An earlier airreg's put over ours leaves our 'text' beside its body: its body is the later.
    auto last = fleet->begin_read();
    redis.cli("HSET " + kSnapshotKey + " seq " + std::to_string(*last) + " body 'stored whole again'");
    CHECK(fleet->snapshot(0)->body == "stored whole again");
  }

  SECTION("a text that expired before its pieces were taken is no snapshot") {
    redis.cli("DEL " + trimmed(text_keys(redis)));
    CHECK_FALSE(fleet->snapshot(0));
  }

  SECTION("a staging key expires, and one lost midway makes the put fail, not store a body without its start") {
    auto next = fleet->begin_read();
    Body other(300'000);
    long long staging_ttl = 0;
    std::string staging_after_loss = "unread";
    auto text = other.pieces([&](size_t k) {
      if (k == 2) staging_ttl = std::stoll(redis.cli("PTTL " + trimmed(staging_keys(redis))));
      if (k == 3) redis.cli("DEL " + trimmed(staging_keys(redis)));
      if (k == 5) staging_after_loss = staging_keys(redis);
    });
    CHECK_FALSE(fleet->put_snapshot(*next, text, 60s));
    CHECK((staging_ttl > 0 && staging_ttl <= 300'000));  // 5 minutes
    CHECK(fleet->snapshot(0)->body == body.text);  // the one before stays
    CHECK(staging_keys(redis).empty());
    CHECK(staging_after_loss.empty());  // not begun again (without an expiry) by the later pieces
  }

  SECTION("a read that began before Redis lost its data (its seq above the counter) is refused") {
    auto next = fleet->begin_read();
    redis.cli("SET 'airreg:v1:{appFLEETTEST00001}:snapshot:seq' 0");
    CHECK_FALSE(fleet->put_snapshot(*next, Body(10'000).pieces(), 60s));
    CHECK(fleet->snapshot(0)->body == body.text);
  }

  SECTION("two reads given one seq (one began before Redis lost its data) never mix their bodies") {
    auto seq_of_both = fleet->begin_read();
    auto other = fleet_on(redis);  // the read from before, on an instance of its own
    Body mine(300'000, 'm'), theirs(300'000, 't');
    bool first = true;
    auto text = mine.pieces([&](size_t) {
      if (!first) return;
      first = false;
      // The other read sends its first piece, of the same length, and dies.
      struct Died {};
      CHECK_THROWS_AS(other->put_snapshot(*seq_of_both,
                                          [&](const std::function<void(std::string_view)>& piece) {
                                            piece(std::string_view(theirs.text).substr(0, 1));
                                            throw Died{};
                                          },
                                          60s),
                      Died);
    });
    REQUIRE(fleet->put_snapshot(*seq_of_both, text, 60s));
    CHECK(fleet->snapshot(0)->body == mine.text);
  }

  SECTION("a snapshot of no text is not stored") {
    auto next = fleet->begin_read();
    CHECK_FALSE(fleet->put_snapshot(*next, [](const std::function<void(std::string_view)>&) {}, 60s));
    CHECK(fleet->snapshot(0)->body == body.text);
  }
}

TEST_CASE("a snapshot taken in pieces is one stored snapshot, whatever happens between its pieces", "[fleet][redis]") {
  RedisServer redis;
  auto fleet = fleet_on(redis);
  fleet::RedisCore reader(fleet::parse_redis_url(redis.url()).value(), fleet::RedisTimeouts{2s, 2s, 1s}, "appFLEETTEST00001",
                          "reader", nullptr);
  Body first(600'000, 'f'), second(500'000, 's');
  auto first_seq = fleet->begin_read();
  REQUIRE(fleet->put_snapshot(*first_seq, first.pieces(), 60s));
  auto first_text = trimmed(redis.cli("HGET " + kSnapshotKey + " text"));
  REQUIRE_FALSE(first_text.empty());
  uint64_t second_seq = 0;
  auto replace = [&] {
    auto seq = fleet->begin_read();
    REQUIRE(fleet->put_snapshot(*seq, second.pieces(), 60s));
    second_seq = *seq;
  };
  int pieces = 0;

  SECTION("replaced midway: the reader finishes the text it began, which stays 10 s") {
    auto got = fleet::take_snapshot_in_pieces(reader, 0, 100'000, [&] {
      if (pieces++ == 1) replace();
    });
    REQUIRE(got);
    CHECK(got->seq == *first_seq);
    CHECK(got->body == first.text);
    CHECK(fleet->snapshot(0)->body == second.text);
  }

  SECTION("dropped midway (the table changed): no snapshot, not a part of one") {
    auto got = fleet::take_snapshot_in_pieces(reader, 0, 100'000, [&] {
      if (pieces++ == 1) fleet->invalidate_snapshot();
    });
    CHECK_FALSE(got);
  }

  SECTION("replaced, and the text begun gone midway: asked again, the newer one whole") {
    auto got = fleet::take_snapshot_in_pieces(reader, 0, 100'000, [&] {
      if (pieces++ != 1) return;
      replace();
      redis.cli("DEL " + first_text);  // as its 10 s ran out
    });
    REQUIRE(got);
    CHECK(got->seq == second_seq);
    CHECK(got->body == second.text);
  }
}

TEST_CASE("a fleet without pacing (0 requests a second) grants every request at once, Redis up or down", "[fleet][redis]") {
  RedisServer redis;
  auto fleet = fleet_on(redis, 0);
  auto budget = fleet->request_budget();
  REQUIRE(budget);
  // Before, the window was 1000 / 0 ms, and without Redis one request per 20 minutes: a table
  // read of 100 pages never ended.
  for (int i = 0; i < 50; ++i) {
    auto grant = budget->try_acquire();
    REQUIRE(grant.granted);
    budget->release(grant.ticket);
  }
  // Takes no slot, but a 429 another instance saw pauses it too.
  auto paced = fleet_on(redis, 5);
  paced->request_budget()->pause_for(10s);
  auto paused = budget->try_acquire();
  CHECK_FALSE(paused.granted);
  CHECK((paused.retry_in > 5s && paused.retry_in <= 10s));
  redis.kill();
  for (int i = 0; i < 50; ++i) REQUIRE(budget->try_acquire().granted);
}

TEST_CASE("a paced fleet still spaces its requests", "[fleet][redis]") {
  RedisServer redis;
  auto fleet = fleet_on(redis, 5);
  auto budget = fleet->request_budget();
  REQUIRE(budget);
  int granted = 0;
  for (int i = 0; i < 20; ++i) granted += budget->try_acquire().granted;  // never released: held
  CHECK(granted == 5);
}

// What an operator types for the fleet and the registry (AIRREG_REDIS_URL, the AIRREG_ settings)
// and what travels on the fleet's channel: parsed strictly, with messages that say what is
// wrong and never show a password.
#include <catch2/catch.hpp>

#include <cstdlib>

#include "airreg/model_registry.hpp"
#include "core/duration_text.hpp"
#include "fleet/fleet.hpp"
#include "fleet/notice_codec.hpp"
#include "fleet/redis_url.hpp"

using namespace std::chrono_literals;
using airreg::fleet::parse_redis_url;

TEST_CASE("Redis URLs: host, port, database, password and unix sockets", "[fleet]") {
  auto plain = parse_redis_url("redis://127.0.0.1:6380/2").value();
  CHECK(plain.host == "127.0.0.1");
  CHECK(plain.port == 6380);
  CHECK(plain.db == 2);
  CHECK(plain.password.empty());
  auto defaults = parse_redis_url("redis://cache.internal").value();
  CHECK(defaults.port == 6379);
  CHECK(defaults.db == 0);
  auto secret = parse_redis_url("redis://:s3cr%40t@redis:6379/0").value();
  CHECK(secret.password == "s3cr@t");
  CHECK(secret.user.empty());
  CHECK_THAT(secret.display, !Catch::Contains("s3cr"));
  CHECK_THAT(secret.display, Catch::Contains(":***@redis:6379/0"));
  auto acl = parse_redis_url("redis://fleet:pw@[::1]:7000").value();
  CHECK(acl.user == "fleet");
  CHECK(acl.host == "::1");
  CHECK(acl.port == 7000);
  // A password with '/' or '@' in it, unencoded (base64 passwords have them).
  auto slashed = parse_redis_url("redis://:ab/c@d@redis:6380/1").value();
  CHECK(slashed.password == "ab/c@d");
  CHECK(slashed.host == "redis");
  CHECK(slashed.db == 1);
  auto socket = parse_redis_url("/run/redis/redis.sock").value();
  CHECK(socket.socket_path == "/run/redis/redis.sock");
  CHECK(parse_redis_url("unix:///tmp/r.sock?db=3").value().db == 3);
}

TEST_CASE("a Redis URL that cannot work is a config error that says why, without the password", "[fleet]") {
  for (const char* bad : {"", "http://redis:6379", "redis://", "redis://h:99999", "redis://h:port", "redis://:pw@h/x",
                          "unix://relative.sock", "unix:///tmp/r.sock?timeout=3", "redis://:pw/secret@h:bad",
                          "redis://u:pw/secret@h/notadb"}) {
    CAPTURE(bad);
    auto e = parse_redis_url(bad);
    REQUIRE_FALSE(e);
    CHECK(e.error().code == airreg::ErrorCode::config);
    CHECK_THAT(e.error().message, Catch::Contains("AIRREG_REDIS_URL"));
    CHECK_THAT(e.error().message, !Catch::Contains("pw"));
  }
  auto tls = parse_redis_url("rediss://:pw@h:6380");
  REQUIRE_FALSE(tls);
  CHECK_THAT(tls.error().message, Catch::Contains("TLS") && !Catch::Contains("pw"));
}

TEST_CASE("change notices round-trip; anything else on the channel is ignored", "[fleet]") {
  airreg::fleet::Notice n{airreg::fleet::Notice::Kind::changed, "host:1", {"openai", "mistral"}, 7};
  auto back = airreg::fleet::decode_notice(airreg::fleet::encode_notice(n));
  REQUIRE(back);
  CHECK(back->kind == n.kind);
  CHECK(back->origin == "host:1");
  CHECK(back->providers == n.providers);
  CHECK(back->seq == 7);
  for (const char* garbage : {"", "null", "[]", "{\"kind\":\"exploded\",\"origin\":\"x\"}", "{\"kind\":\"changed\"}",
                              "{\"kind\":\"changed\",\"origin\":\"x\",\"providers\":[1,{}]", "\xff\xfe"}) {
    CAPTURE(garbage);
    auto d = airreg::fleet::decode_notice(garbage);
    if (d) CHECK(d->providers.empty());  // a half-valid notice names no provider: every key
  }
  CHECK_FALSE(airreg::fleet::decode_notice("{\"kind\":\"exploded\",\"origin\":\"x\"}"));
}

TEST_CASE("durations take a bare number in the setting's unit, or a unit", "[settings]") {
  using airreg::core::parse_duration;
  CHECK(parse_duration("3600", 1000ms) == 3600s);
  CHECK(parse_duration("6h", 1000ms) == 6h);
  CHECK(parse_duration("1.5h", 1000ms) == 90min);
  CHECK(parse_duration("250ms", 1000ms) == 250ms);
  CHECK(parse_duration("2d", 3600000ms) == 48h);
  for (const char* bad : {"", "-1", "abc", "5 parsecs", "nan", "inf", "1e30", "6hh"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_duration(bad, 1000ms));
  }
}

TEST_CASE("RegistryOptions::from_environment reads each AIRREG_ setting in its unit and names a bad one", "[settings]") {
  setenv("AIRREG_CACHE_TTL", "90", 1);
  setenv("AIRREG_FRESH_FOR", "12", 1);
  setenv("AIRREG_WAIT_FOR", "1.5s", 1);
  setenv("AIRREG_REDIS_URL", "redis://127.0.0.1:6379/0", 1);
  auto o = airreg::RegistryOptions::from_environment();
  REQUIRE(o);
  CHECK(o->cache_ttl == 90s);
  CHECK(o->fresh_for == 12h);
  CHECK(o->wait_for == 1500ms);
  CHECK(o->redis_url == "redis://127.0.0.1:6379/0");
  setenv("AIRREG_FRESH_FOR", "30m", 1);  // not a whole number of hours
  auto bad = airreg::RegistryOptions::from_environment();
  REQUIRE_FALSE(bad);
  CHECK_THAT(bad.error().message, Catch::Contains("AIRREG_FRESH_FOR") && Catch::Contains("hours") && Catch::Contains("30m"));
  setenv("AIRREG_FRESH_FOR", "24", 1);
  setenv("AIRREG_NEW_STATUS", "approved", 1);
  auto status = airreg::RegistryOptions::from_environment();
  REQUIRE_FALSE(status);
  CHECK_THAT(status.error().message, Catch::Contains("AIRREG_NEW_STATUS") && Catch::Contains("pending or active"));
  for (const char* v : {"AIRREG_CACHE_TTL", "AIRREG_FRESH_FOR", "AIRREG_WAIT_FOR", "AIRREG_REDIS_URL", "AIRREG_NEW_STATUS"})
    unsetenv(v);
}

namespace {

struct NamedBudget : airreg::SharedRequestBudget {
  Grant try_acquire() override { return Grant{true, "t", {}}; }
  void release(const std::string&) override {}
  void pause_for(airreg::Clock::Duration) override {}
};

}  // namespace

TEST_CASE("a sync's budget scope gives the limiter back the budget it had (serve's registry keeps its fleet)", "[fleet]") {
  auto limiter = airreg::RateLimiter::per_second(5);
  auto registry_budget = std::make_shared<NamedBudget>();
  auto sync_budget = std::make_shared<NamedBudget>();
  limiter->set_shared_budget(registry_budget);
  {
    airreg::fleet::SharedBudgetScope sync(limiter, sync_budget);
    CHECK(limiter->shared_budget() == sync_budget);
  }
  CHECK(limiter->shared_budget() == registry_budget);  // before: null, the registry outside the fleet
  {
    airreg::fleet::SharedBudgetScope none(limiter, nullptr);  // no fleet: nothing changes
    CHECK(limiter->shared_budget() == registry_budget);
  }
}

// serve's router as a function of the request: every route, who may call it, every bad input.
// The registry is a fake here; tests/integration/test_serve.cpp runs the real thing over HTTP.
#include <catch2/catch.hpp>
#include <simdjson.h>

#include "fake_registry.hpp"
#include "prometheus_text.hpp"
#include "serve/http_message.hpp"
#include "serve/router.hpp"

using namespace airreg;
using airreg::serve::ServeRequest;
using airreg::serve::ServeResponse;
using airreg::test::row;

namespace {

constexpr const char* kToken = "serve-test-token-0123456789";

struct Rig {
  test::FakeRegistry registry;
  serve::Metrics metrics;
  serve::Router router;

  explicit Rig(std::vector<std::string> tokens = {kToken})
      : router(registry, metrics, serve::RouterConfig{std::move(tokens), std::chrono::seconds(60), 64 * 1024, "test"}) {
    registry.set("openai", ModelCategory::text,
                 {row("openai", "gpt-4o"), row("openai", "gpt-4o-mini"), row("openai", "o9", ModelStatus::pending),
                  row("openai", "old", ModelStatus::disabled)});
    registry.set("mistral", ModelCategory::text, {row("mistral", "mistral-large")});
    registry.set("openai", ModelCategory::tts, {row("openai", "gpt-4o-mini-tts")});
  }

  ServeResponse call(std::string method, std::string target, std::string body = "", bool with_token = true,
                     std::vector<std::pair<std::string, std::string>> headers = {}) {
    ServeRequest r;
    r.method = std::move(method);
    auto q = target.find('?');
    r.path = target.substr(0, q);
    if (q != std::string::npos) r.query = serve::parse_query(target.substr(q + 1));
    if (with_token) r.headers.emplace_back("authorization", std::string("Bearer ") + kToken);
    for (auto& h : headers) r.headers.push_back(std::move(h));
    r.body = std::move(body);
    return router.handle(r);
  }
  ServeResponse get(const std::string& target) { return call("GET", target); }
};

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& body) {
  simdjson::dom::element e;
  REQUIRE(parser.parse(body).get(e) == simdjson::SUCCESS);
  return e;
}

std::vector<std::string> ids(const std::string& openai_body) {
  simdjson::dom::parser parser;
  std::vector<std::string> out;
  simdjson::dom::array data;  // named: a range-for over value_unsafe() of a temporary dangles
  REQUIRE(parse(parser, openai_body)["data"].get(data) == simdjson::SUCCESS);
  for (auto m : data) out.emplace_back(m["id"].get_string().value_unsafe());
  return out;
}

std::string header(const ServeResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "";
}

}  // namespace

TEST_CASE("health checks answer without a token; everything else needs one", "[serve]") {
  Rig rig;
  CHECK(rig.call("GET", "/healthz", "", false).status == 200);
  CHECK(rig.call("GET", "/readyz", "", false).status == 200);
  for (const char* target : {"/", "/metrics", "/v1/registry/models?provider=openai", "/v1/models", "/openai/v1/models",
                             "/providers/openai/v1/models", "/v1/registry/resolve?provider=openai&model=x"}) {
    CAPTURE(target);
    auto refused = rig.call("GET", target, "", false);
    CHECK(refused.status == 401);
    CHECK_THAT(refused.body, Catch::Contains("Bearer"));
    auto wrong = rig.call("GET", target, "", false, {{"authorization", "Bearer serve-test-token-0123456780"}});
    CHECK(wrong.status == 401);
    CHECK_THAT(wrong.body, !Catch::Contains("0123456780"));  // a token is never repeated back
    CHECK(rig.call("GET", target).status == 200);
  }
}

TEST_CASE("without tokens (loopback), reads are open but a forced refresh is refused", "[serve]") {
  Rig rig(std::vector<std::string>{});
  CHECK(rig.call("GET", "/v1/models", "", false).status == 200);
  auto refresh = rig.call("POST", "/v1/registry/refresh?provider=openai", "", false);
  CHECK(refresh.status == 403);
  CHECK_THAT(refresh.body, Catch::Contains("--token"));
  CHECK(rig.registry.refreshed.empty());
}

TEST_CASE("/v1/registry/models answers what ModelRegistry::models returns, one provider or all", "[serve]") {
  Rig rig;
  simdjson::dom::parser parser;
  auto one = rig.get("/v1/registry/models?provider=openai");
  REQUIRE(one.status == 200);
  auto e = parse(parser, one.body);
  CHECK(e["provider"].get_string().value_unsafe() == "openai");
  CHECK(e["source"].get_string().value_unsafe() == "cache");
  CHECK(e["origin"].get_string().value_unsafe() == "airtable");
  CHECK(e["age_seconds"].get_int64().value_unsafe() >= 30);
  CHECK(e["models"].get_array().value_unsafe().size() == 2);  // usable only
  auto all = parse(parser, rig.get("/v1/registry/models?provider=openai&all=1").body);
  CHECK(all["models"].get_array().value_unsafe().size() == 4);
  auto tts = parse(parser, rig.get("/v1/registry/models?provider=openai&category=tts").body);
  CHECK(tts["category"].get_string().value_unsafe() == "tts");
  auto every = parse(parser, rig.get("/v1/registry/models").body);
  CHECK(every["answers"].get_array().value_unsafe().size() == 2);  // openai and mistral (text)
}

TEST_CASE("bad parameters are 400 naming the parameter; unknown routes 404; wrong methods 405", "[serve]") {
  Rig rig;
  auto category = rig.get("/v1/registry/models?provider=openai&category=video");
  CHECK(category.status == 400);
  CHECK_THAT(category.body, Catch::Contains("\"param\":\"category\""));
  auto provider = rig.get("/v1/registry/models?provider=../../etc");
  CHECK(provider.status == 400);
  CHECK_THAT(provider.body, Catch::Contains("\"param\":\"provider\""));
  auto missing = rig.get("/v1/registry/resolve?model=gpt-4o");
  CHECK(missing.status == 400);
  CHECK_THAT(missing.body, Catch::Contains("\"param\":\"provider\""));
  CHECK(rig.get("/v1/registry/models?provider=nobody").status == 404);
  auto unknown = rig.get("/v2/everything");
  CHECK(unknown.status == 404);
  CHECK(unknown.content_type == "application/json");
  CHECK(rig.call("DELETE", "/v1/models").status == 405);
  CHECK(rig.call("GET", "/v1/registry/verified").status == 405);
  CHECK(rig.call("POST", "/v1/registry/verified", std::string(70 * 1024, 'x')).status == 413);
}

TEST_CASE("resolve names the model to use and the rule that chose it", "[serve]") {
  Rig rig;
  simdjson::dom::parser parser;
  auto asked = parse(parser, rig.get("/v1/registry/resolve?provider=openai&model=gpt-4o").body);
  CHECK(asked["model"].get_string().value_unsafe() == "gpt-4o");
  CHECK(asked["rule"].get_string().value_unsafe() == "requested");
  auto fallback = parse(parser, rig.get("/v1/registry/resolve?provider=openai&model=old").body);
  CHECK(fallback["model"].get_string().value_unsafe() == "gpt-4o");
  CHECK(fallback["rule"].get_string().value_unsafe() == "sort order");
}

TEST_CASE("verified reports are accepted one or many at a time, and bad bodies refused", "[serve]") {
  Rig rig;
  CHECK(rig.call("POST", "/v1/registry/verified", R"({"provider":"openai","model":"gpt-4o"})").status == 202);
  CHECK(rig.call("POST", "/v1/registry/verified",
                 R"([{"provider":"openai","model":"gpt-4o"},{"provider":"mistral","model":"mistral-large"}])")
            .status == 202);
  CHECK(rig.registry.verified.size() == 3);
  for (const char* bad : {"", "{", "null", "[1,2]", R"({"provider":"openai"})", R"({"provider":"a b","model":"x"})",
                          R"([{"provider":"openai","model":"x"}, 7])"}) {
    CAPTURE(bad);
    CHECK(rig.call("POST", "/v1/registry/verified", bad).status == 400);
  }
  CHECK(rig.registry.verified.size() == 3);  // a bad list reports nothing, not half of it
}

TEST_CASE("a forced refresh needs the token and is limited to once a minute per provider", "[serve]") {
  Rig rig;
  CHECK(rig.call("POST", "/v1/registry/refresh?provider=openai", "", false).status == 401);
  CHECK(rig.call("POST", "/v1/registry/refresh?provider=openai").status == 200);
  auto again = rig.call("POST", "/v1/registry/refresh?provider=openai");
  CHECK(again.status == 429);
  CHECK(std::stoi(header(again, "Retry-After")) > 0);
  CHECK(rig.call("POST", "/v1/registry/refresh?provider=mistral").status == 200);
  CHECK(rig.registry.refreshed == std::vector<std::string>{"openai", "mistral"});
}

TEST_CASE("OpenAI's model list: the usable models, provider/model ids, bare ids per provider", "[serve]") {
  Rig rig;
  auto all = rig.get("/v1/models");
  REQUIRE(all.status == 200);
  simdjson::dom::parser parser;
  auto e = parse(parser, all.body);
  CHECK(e["object"].get_string().value_unsafe() == "list");
  CHECK(e["data"].at(0)["object"].get_string().value_unsafe() == "model");
  CHECK(e["data"].at(0)["owned_by"].get_string().value_unsafe() == "mistral");
  CHECK(ids(all.body) == std::vector<std::string>{"mistral/mistral-large", "openai/gpt-4o", "openai/gpt-4o-mini"});
  CHECK(ids(rig.get("/openai/v1/models").body) == ids(all.body));
  CHECK(ids(rig.get("/v1/models?provider=openai").body) == std::vector<std::string>{"gpt-4o", "gpt-4o-mini"});
  CHECK(ids(rig.get("/providers/openai/v1/models").body) == std::vector<std::string>{"gpt-4o", "gpt-4o-mini"});
  CHECK(ids(rig.get("/providers/openai/v1/models?category=tts").body) == std::vector<std::string>{"gpt-4o-mini-tts"});
  auto one = rig.get("/v1/models/openai/gpt-4o");
  CHECK(one.status == 200);
  CHECK_THAT(one.body, Catch::Contains("\"id\":\"openai/gpt-4o\""));
  CHECK(rig.get("/providers/openai/v1/models/gpt-4o").status == 200);
  CHECK(rig.get("/v1/models/openai/o9").status == 404);  // pending: not approved
  CHECK(rig.get("/v1/models/gpt-4o").status == 404);     // ids here are provider/model
}

TEST_CASE("answers carry an ETag from the snapshot version; If-None-Match gets 304", "[serve]") {
  Rig rig;
  auto first = rig.get("/v1/registry/models?provider=openai");
  std::string etag = header(first, "ETag");
  REQUIRE_FALSE(etag.empty());
  auto again = rig.call("GET", "/v1/registry/models?provider=openai", "", true, {{"if-none-match", etag}});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  rig.registry.set("openai", ModelCategory::text, {row("openai", "gpt-5")}, AnswerSource::cache, 2);
  auto changed = rig.call("GET", "/v1/registry/models?provider=openai", "", true, {{"if-none-match", etag}});
  CHECK(changed.status == 200);
  CHECK(header(changed, "ETag") != etag);
  auto list = rig.get("/v1/models");
  CHECK(rig.call("GET", "/v1/models", "", true, {{"if-none-match", header(list, "ETag")}}).status == 304);
}

TEST_CASE("/metrics is Prometheus text a strict reader accepts, with the conventional names", "[serve]") {
  Rig rig;
  (void)rig.get("/v1/models");
  (void)rig.call("GET", "/v1/models", "", false);
  auto metrics = rig.get("/metrics");
  REQUIRE(metrics.status == 200);
  CHECK(metrics.content_type == "text/plain; version=0.0.4; charset=utf-8");
  auto parsed = test::PrometheusText::parse(metrics.body);
  for (const char* name : {"airreg_cache_hits_total", "airreg_cache_misses_total", "airreg_airtable_rate_limited_total",
                           "airreg_outbox_rows", "airreg_registry_age_seconds", "airreg_http_requests_total",
                           "airreg_http_request_duration_seconds_bucket", "airreg_http_request_duration_seconds_count"}) {
    CAPTURE(name);
    CHECK(parsed.has(name));
  }
  CHECK(parsed.value("airreg_http_requests_total", {{"route", "/v1/models"}, {"code", "200"}}) == 1);
  CHECK(parsed.value("airreg_http_requests_total", {{"route", "/v1/models"}, {"code", "401"}}) == 1);
  CHECK(parsed.value("airreg_registry_age_seconds", {{"provider", "openai"}, {"category", "text"}}) >= 30);
  CHECK_THROWS(test::PrometheusText::parse("airreg_x{a=\"b} 1\n"));  // the reader is strict
}

TEST_CASE("/metrics shows the month's Airtable calls, their projection and the budget", "[serve][quota]") {
  Rig rig;
  RegistryStats s;
  s.calls_month = 420;
  s.calls_projected = 900;
  s.call_budget = 1000;
  s.revalidation_period = std::chrono::seconds(7200);
  rig.registry.set_stats(s);
  auto parsed = test::PrometheusText::parse(rig.get("/metrics").body);
  CHECK(parsed.value("airreg_airtable_calls_month_total", {}) == 420);
  CHECK(parsed.value("airreg_airtable_calls_month_projected", {}) == 900);
  CHECK(parsed.value("airreg_airtable_call_budget", {}) == 1000);
  CHECK(parsed.value("airreg_airtable_revalidation_period_seconds", {}) == 7200);
  rig.registry.set_stats(RegistryStats{});
  CHECK(!test::PrometheusText::parse(rig.get("/metrics").body).has("airreg_airtable_call_budget"));  // unlimited
}

TEST_CASE("the status page is HTML with every provider, escaped", "[serve]") {
  Rig rig;
  rig.registry.set("<script>", ModelCategory::text, {row("<script>", "x")});
  auto page = rig.get("/");
  CHECK(page.content_type == "text/html; charset=utf-8");
  CHECK_THAT(page.body, Catch::Contains("openai") && Catch::Contains("mistral") && Catch::Contains("&lt;script&gt;"));
  CHECK_THAT(page.body, !Catch::Contains("<script>"));
}

TEST_CASE("readyz says what is degraded", "[serve]") {
  Rig rig;
  rig.registry.set("google", ModelCategory::text, {row("google", "gemini")}, AnswerSource::curated);
  auto ready = rig.call("GET", "/readyz", "", false);
  CHECK(ready.status == 200);
  CHECK_THAT(ready.body, Catch::Contains("google/text: curated"));
  Rig empty;
  test::FakeRegistry none;
  serve::Metrics m;
  serve::Router router(none, m, serve::RouterConfig{});
  ServeRequest r;
  r.method = "GET";
  r.path = "/readyz";
  CHECK(router.handle(r).status == 503);
}

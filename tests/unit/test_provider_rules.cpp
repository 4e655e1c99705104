#include <catch2/catch.hpp>

#include <fnmatch.h>

#include <random>
#include <string>
#include <vector>

#include "providers/provider_http.hpp"
#include "providers/provider_rules.hpp"

using namespace std::chrono_literals;
using airreg::ModelCategory;
using airreg::providers::glob_match;
using airreg::providers::ProviderRules;

TEST_CASE("globs match with * anywhere and ignore case", "[provider_rules]") {
  CHECK(glob_match("gpt-*", "gpt-4o"));
  CHECK(glob_match("*embedding*", "text-embedding-3-small"));
  CHECK(glob_match("*-tts", "gemini-2.5-flash-tts"));
  CHECK_FALSE(glob_match("*-tts", "gemini-2.5-flash-tts-x"));
  CHECK(glob_match("O1", "o1"));
  CHECK(glob_match("*", ""));
  CHECK_FALSE(glob_match("o1", "o1-mini"));
  CHECK(glob_match("a*b*c", "aXXbYYc"));
  CHECK_FALSE(glob_match("a*b*c", "aXXbYY"));
  // Long ids and many stars stay fast (no exponential backtracking).
  CHECK_FALSE(glob_match("*a*a*a*a*a*a*a*a*b", std::string(5000, 'a')));
}

TEST_CASE("globs match as fnmatch does, ignoring case, on random patterns and ids", "[provider_rules]") {
  // Patterns of stars (runs and trailing ones too), '?', classes and letters, against ids of
  // the same letters in both cases: the stars' shortcuts may not change an answer.
  const std::vector<std::string> tokens = {"a", "b", "A", "-", "*", "**", "?", "[ab]", "[!a]", "[a-b]"};
  std::mt19937 random(14);
  for (int i = 0; i < 20000; ++i) {
    std::string pattern, id;
    for (int n = std::uniform_int_distribution<int>(0, 6)(random); n > 0; --n)
      pattern += tokens[std::uniform_int_distribution<size_t>(0, tokens.size() - 1)(random)];
    for (int n = std::uniform_int_distribution<int>(0, 8)(random); n > 0; --n) id += "abAB-"[random() % 5];
    CAPTURE(pattern, id);
    CHECK(glob_match(pattern, id) == (fnmatch(pattern.c_str(), id.c_str(), FNM_CASEFOLD | FNM_NOESCAPE) == 0));
  }
}

TEST_CASE("globs take ? and character classes, with fnmatch's meaning, ignoring case", "[provider_rules]") {
  CHECK(glob_match("o[0-9]", "o1"));
  CHECK(glob_match("o[0-9]*", "o7-mini"));
  CHECK(glob_match("O[0-9]-*", "o4-mini"));
  CHECK_FALSE(glob_match("o[0-9]*", "omni-moderation"));
  CHECK(glob_match("gpt-[0-9]*", "gpt-5.1-codex"));
  CHECK_FALSE(glob_match("gpt-[0-9]*", "gpt-image-1"));
  CHECK(glob_match("gpt-?o", "gpt-4o"));
  CHECK_FALSE(glob_match("gpt-?o", "gpt-4"));
  CHECK(glob_match("[!x]*", "abc"));
  CHECK_FALSE(glob_match("[!a]*", "abc"));
  CHECK(glob_match("[^a-c]z", "dz"));
  CHECK(glob_match("[]a]", "]"));
  CHECK(glob_match("[A-Z]1", "b1"));  // case-insensitive ranges
  CHECK(glob_match("a[bc", "a[bc"));  // an unclosed class is an ordinary '['
  CHECK(airreg::providers::glob_problem("a[bc"));
  CHECK_FALSE(airreg::providers::glob_problem("o[0-9]*"));
}

TEST_CASE("an id no rule matches is unclassified, not silently skipped", "[provider_rules]") {
  auto rules = ProviderRules::load(AIRREG_TEST_SCHEMA_DIR "/provider_rules.json").value();
  for (const char* id : {"o1", "o3-mini", "o7", "o12-pro", "gpt-6", "gpt-5.5-mini", "codex-mini-latest"}) {
    CAPTURE(id);
    CHECK(rules.classify("openai", id).category == airreg::ModelCategory::text);
  }
  auto unknown = rules.classify("openai", "omni-next");
  CHECK_FALSE(unknown.category);
  CHECK_FALSE(unknown.matched);
  CHECK(rules.classify("openai", "text-embedding-3-small").matched);  // a rule skips it, by name
}

TEST_CASE("the first rule that matches decides; no match gives the default reason", "[provider_rules]") {
  auto rules = ProviderRules::parse(R"({
    "_about": "ignored",
    "acme": {"rules": [{"match": ["*-embed"], "skip": "embedding"}, {"match": ["acme-*"], "category": "text"},
                       {"match": ["voice-*"], "category": "tts"}],
             "default_skip": "not ours",
             "require": {"text": [{"field": "caps.chat", "is": true, "skip": "no chat"}]}}
  })", "rules.json");
  REQUIRE(rules);
  CHECK(rules->classify("acme", "acme-1-embed").skip == "embedding");
  CHECK(rules->classify("acme", "acme-1").category == ModelCategory::text);
  CHECK(rules->classify("acme", "voice-2").category == ModelCategory::tts);
  CHECK(rules->classify("acme", "other").skip == "not ours");
  CHECK(rules->classify("nobody", "x").skip == "no rules for nobody");
  REQUIRE(rules->checks("acme", ModelCategory::text).size() == 1);
  CHECK(rules->checks("acme", ModelCategory::text)[0].path == std::vector<std::string>{"caps", "chat"});
  CHECK(rules->checks("acme", ModelCategory::tts).empty());
}

TEST_CASE("a broken rules file is a config error that names the file and the place", "[provider_rules]") {
  auto not_json = ProviderRules::parse("{nope", "my_rules.json");
  REQUIRE_FALSE(not_json);
  CHECK(not_json.error().code == airreg::ErrorCode::config);
  CHECK_THAT(not_json.error().message, Catch::StartsWith("my_rules.json: not JSON"));
  auto bad_category = ProviderRules::parse(R"({"acme": {"rules": [{"match": ["*"], "category": "video"}]}})", "r.json");
  REQUIRE_FALSE(bad_category);
  CHECK_THAT(bad_category.error().message, Catch::Contains("acme: unknown category \"video\""));
  auto no_action = ProviderRules::parse(R"({"acme": {"rules": [{"match": ["*"]}]}})", "r.json");
  REQUIRE_FALSE(no_action);
  CHECK_THAT(no_action.error().message, Catch::Contains("needs \"category\" or \"skip\""));
  auto missing = ProviderRules::load("/nonexistent/provider_rules.json");
  REQUIRE_FALSE(missing);
  CHECK_THAT(missing.error().message, Catch::Contains("/nonexistent/provider_rules.json"));
}

TEST_CASE("waits named by providers are read in their formats", "[provider_http]") {
  using airreg::providers::parse_go_duration;
  CHECK(parse_go_duration("12s") == 12s);
  CHECK(parse_go_duration("1.146s") == 1146ms);
  CHECK(parse_go_duration("6m0s") == 360s);
  CHECK(parse_go_duration("20ms") == 20ms);
  CHECK(parse_go_duration("1h2m3s") == 3723s);
  CHECK_FALSE(parse_go_duration("soon"));
  CHECK_FALSE(parse_go_duration(""));
  airreg::HttpResponse r{429, {{"Retry-After", "3"}}, ""};
  CHECK(airreg::providers::requested_wait(r) == 3s);
  r.headers = {{"retry-after-ms", "250"}, {"Retry-After", "1"}};
  CHECK(airreg::providers::requested_wait(r) == 250ms);
  r.headers = {};
  r.body = R"({"error":{"details":[{"@type":"x"},{"retryDelay":"41s"}]}})";
  CHECK(airreg::providers::requested_wait(r) == 41s);
  r.body = "not json";
  CHECK_FALSE(airreg::providers::requested_wait(r));
}

TEST_CASE("a key quoted back by a provider is hidden", "[provider_http]") {
  using airreg::providers::redact;
  CHECK(redact("Incorrect API key provided: sk-abc123. Try again, sk-abc123", "sk-abc123") ==
        "Incorrect API key provided: ***. Try again, ***");
  CHECK(redact("nothing to hide", "sk-abc123") == "nothing to hide");
}

// ModelRegistry's hot path (models_view, resolve_view) against the answers of models() and
// resolve(), on randomised registries: the same lists, sources and warnings, whatever the
// order of changes and questions; and readers racing a writer (run under TSan too).
#include <catch2/catch.hpp>

#include <atomic>
#include <random>
#include <thread>

#include "fake_registry.hpp"

using namespace airreg;
using airreg::test::FakeRegistry;

namespace {

RegistryRow random_row(std::mt19937& rng, const std::string& provider, int i) {
  RegistryRow r;
  r.provider_id = provider;
  r.model_id = "model-" + std::to_string(i);
  r.status = static_cast<ModelStatus>(rng() % 4);
  r.available = rng() % 5 != 0;
  r.recommended = rng() % 7 == 0;
  return r;
}

void set_random(FakeRegistry& f, std::mt19937& rng, const std::string& provider, ModelCategory c, uint64_t version) {
  std::vector<RegistryRow> rows;
  for (int i = 0, n = static_cast<int>(rng() % 12); i < n; ++i) rows.push_back(random_row(rng, provider, i));
  static const AnswerSource sources[] = {AnswerSource::cache, AnswerSource::stale, AnswerSource::curated, AnswerSource::provider};
  f.set(provider, c, std::move(rows), sources[rng() % 4], version);
}

void same(const ModelList& view, const ModelList& old) {
  CHECK(view.provider == old.provider);
  CHECK(view.category == old.category);
  CHECK(view.source == old.source);
  CHECK(view.version == old.version);
  CHECK(view.warnings == old.warnings);
  REQUIRE(view.models.size() == old.models.size());
  for (size_t i = 0; i < view.models.size(); ++i) CHECK(view.models[i].key() == old.models[i].key());
}

}  // namespace

TEST_CASE("the hot path answers what models() and resolve() answer, on randomised registries", "[hot_path]") {
  std::mt19937 rng(20261203);
  const std::vector<std::string> providers{"openai", "anthropic", "mistral", "groq"};
  for (int round = 0; round < 20; ++round) {
    FakeRegistry f;
    uint64_t version = 0;
    for (int step = 0; step < 200; ++step) {
      const auto& p = providers[rng() % providers.size()];
      ModelCategory c = rng() % 3 == 0 ? ModelCategory::tts : ModelCategory::text;
      if (rng() % 4 == 0) set_random(f, rng, p, c, ++version);  // the registry's answers change
      bool all = rng() % 2;
      auto view = f.models_view(f.handle(p), c, all);
      auto old = f.models(p, c, all);
      REQUIRE(view.has_value() == old.has_value());
      if (!old) continue;
      same(**view, **old);
      std::string asked = "model-" + std::to_string(rng() % 14);
      auto chosen = f.resolve_view(f.handle(p), c, asked);
      auto expected = f.resolve(p, c, asked);
      REQUIRE(chosen.has_value() == expected.has_value());
      if (expected) {
        CHECK((*chosen)->model_id == expected->model_id);
        CHECK((*chosen)->rule == expected->rule);
      }
    }
  }
}

TEST_CASE("hot path readers racing a writer see every change, and count their hits", "[hot_path]") {
  FakeRegistry f;
  std::mt19937 seed(7);
  set_random(f, seed, "openai", ModelCategory::text, 1);
  auto h = f.handle("openai");
  std::atomic<bool> done{false};
  std::atomic<uint64_t> written{1};
  std::vector<std::thread> readers;
  std::atomic<int> went_back{0};
  for (int t = 0; t < 2; ++t)
    readers.emplace_back([&] {
      uint64_t last = 0;
      while (!done) {
        auto before = written.load();
        auto view = f.models_view(h, ModelCategory::text);
        if (!view) continue;
        // Never an answer older than one already seen, nor older than what was written before the call.
        if ((*view)->version < last || (*view)->version < before) ++went_back;
        last = (*view)->version;
      }
    });
  std::mt19937 rng(11);
  for (uint64_t v = 2; v < 2000; ++v) {
    set_random(f, rng, "openai", ModelCategory::text, v);
    written = v;
  }
  done = true;
  for (auto& r : readers) r.join();
  CHECK(went_back == 0);
  CHECK(f.models_view(h, ModelCategory::text).value()->version == 1999);
  CHECK(!f.models_view(f.handle("nobody"), ModelCategory::text));  // not known: models()'s error
}

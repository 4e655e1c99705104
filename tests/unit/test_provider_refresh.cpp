// refresh_provider's batches: a refresh hands its writes on as the merge makes them, a batch
// at a time, and holds back the writes of a row another category may write again, so that
// the batch writer makes them one row. Logic only: the listings come from an in-process
// Discovery.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>

#include "core/time_text.hpp"
#include "registry/provider_refresh.hpp"
#include "registry_schema.hpp"

using namespace airreg;
using airreg::registry::kWriteBatchRows;
using airreg::registry::refresh_provider;

namespace {

const airtable::Columns& columns() { return test::registry_columns(); }
const SystemTime kNow = *core::parse_utc("2026-12-01T12:00:00Z");

class ListedDiscovery : public Discovery {
 public:
  std::map<ModelCategory, std::vector<std::string>> ids;  // what each category lists
  std::map<std::string, std::string> names;               // a display name other than "Name of <id>"
  mutable std::vector<std::string> calls;                  // "discover <category>", in order

  std::vector<std::string> providers(ModelCategory) const override { return {"openai"}; }
  std::optional<std::string> missing_key(const std::string&, ModelCategory) const override { return std::nullopt; }
  Result<DiscoveryResult> discover(const std::string& provider, ModelCategory category, std::stop_token) const override {
    calls.push_back("discover " + std::string(to_string(category)));
    DiscoveryResult r;
    r.provider = provider;
    r.category = category;
    for (const auto& id : ids.at(category)) {
      ModelInfo m;
      m.id = id;
      m.display_name = "Name of " + id;
      if (auto named = names.find(id); named != names.end() && r.models.size() > 0) m.display_name = named->second;
      m.features = {"chat"};
      r.models.push_back(std::move(m));
    }
    return r;
  }
  DiscoveryResult curated(const std::string&, ModelCategory) const override { return {}; }
  std::optional<std::string> curated_default(const std::string&, ModelCategory) const override { return std::nullopt; }
};

std::vector<std::string> numbered(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

std::string model_of(const Fields& write) { return std::get<std::string>(write.at(columns().cell("model_id"))); }

struct Batched {
  registry::ProviderRefresh refresh;
  std::vector<std::vector<Fields>> batches;
  std::vector<Fields> all() const {
    std::vector<Fields> out;
    for (const auto& b : batches) out.insert(out.end(), b.begin(), b.end());
    return out;
  }
};

Batched refresh_in_batches(const Discovery& discovery, std::vector<RegistryRow> rows) {
  Batched out;
  out.refresh = refresh_provider(discovery, "openai", {ModelCategory::text, ModelCategory::tts}, [&] { return std::move(rows); }, {}, kNow, {},
                                 columns(), {}, [&](std::vector<Fields>&& batch) { out.batches.push_back(std::move(batch)); });
  return out;
}

std::vector<Fields> refresh_collected(const Discovery& discovery, std::vector<RegistryRow> rows) {
  return refresh_provider(discovery, "openai", {ModelCategory::text, ModelCategory::tts}, [&] { return std::move(rows); }, {}, kNow,
                          {}, columns())
      .writes;
}

// Which batches hold a write of `model`, and how many writes each.
std::map<size_t, int> batches_writing(const Batched& b, const std::string& model) {
  std::map<size_t, int> out;
  for (size_t i = 0; i < b.batches.size(); ++i)
    for (const auto& w : b.batches[i])
      if (model_of(w) == model) ++out[i];
  return out;
}

}  // namespace

TEST_CASE("a first refresh of 1,200 models hands its writes on in batches of 500, the same writes in the same order",
          "[refresh]") {
  ListedDiscovery discovery;
  discovery.ids[ModelCategory::text] = numbered("model-", 1200);
  discovery.ids[ModelCategory::tts] = {"tts-1"};
  auto collected = refresh_collected(discovery, {});
  auto batched = refresh_in_batches(discovery, {});
  REQUIRE(batched.batches.size() == 3);
  CHECK(batched.batches[0].size() == kWriteBatchRows);
  CHECK(batched.batches[1].size() == kWriteBatchRows);
  CHECK(batched.batches[2].size() == 201);
  CHECK(batched.refresh.writes.empty());
  CHECK(collected.size() == 1201);
  CHECK(batched.all() == collected);
  CHECK(batched.refresh.rows.size() == 1201);
}

TEST_CASE("the writes of a row two categories write wait for the last batch, together", "[refresh]") {
  // "both" is in both listings; "moved" is listed as text but its listed category is tts (a
  // person owns its Category), so the tts pass marks it missing: two writes each.
  RegistryRow moved;
  moved.record_id = "recMOVED";
  moved.provider_id = "openai";
  moved.model_id = "moved";
  moved.category = ModelCategory::text;
  moved.available = true;
  moved.discovery_method = "api";
  moved.book.edit_seeded()["category"] = std::string("tts");
  moved.book.edit_people() = {"category"};
  ListedDiscovery discovery;
  discovery.ids[ModelCategory::text] = numbered("model-", 1100);
  discovery.ids[ModelCategory::text].insert(discovery.ids[ModelCategory::text].begin() + 10, "both");
  discovery.ids[ModelCategory::text].insert(discovery.ids[ModelCategory::text].begin() + 20, "moved");
  discovery.ids[ModelCategory::tts] = {"both", "tts-1"};
  auto collected = refresh_collected(discovery, {moved});
  auto batched = refresh_in_batches(discovery, {moved});
  size_t last = batched.batches.size() - 1;
  CHECK(batches_writing(batched, "both") == std::map<size_t, int>{{last, 2}});
  CHECK(batches_writing(batched, "moved") == std::map<size_t, int>{{last, 2}});
  // A row one category writes goes in the next batch: model-0 in the first.
  CHECK(batches_writing(batched, "model-0") == std::map<size_t, int>{{0, 1}});
  CHECK(batched.batches[0].size() == kWriteBatchRows);
  // The same writes as collected at once, in another order.
  auto sorted = [](std::vector<Fields> w) {
    std::sort(w.begin(), w.end());
    return w;
  };
  CHECK(sorted(batched.all()) == sorted(collected));
}

TEST_CASE("an id a Discovery lists twice is written once, as its first entry says", "[refresh]") {
  ListedDiscovery discovery;
  discovery.ids[ModelCategory::text] = numbered("model-", 600);
  discovery.ids[ModelCategory::text].insert(discovery.ids[ModelCategory::text].begin(), "twice");
  discovery.ids[ModelCategory::text].push_back("twice");
  discovery.names["twice"] = "Another name";  // the second entry's
  discovery.ids[ModelCategory::tts] = {};
  auto batched = refresh_in_batches(discovery, {});
  CHECK(batches_writing(batched, "twice") == std::map<size_t, int>{{0, 1}});
  auto rows = batched.refresh.rows;
  auto twice = std::find_if(rows.begin(), rows.end(), [](const RegistryRow& r) { return r.model_id == "twice"; });
  REQUIRE(twice != rows.end());
  CHECK(twice->model_name == "Name of twice");
  CHECK(rows.size() == 601);
}

TEST_CASE("a refresh asks for the rows to merge once every listing is read, and once", "[refresh]") {
  // A listing's parser (14 bytes a byte of body) and the copy of the rows were held at once:
  // the peak of a 10,000-model refresh into a table that holds them.
  ListedDiscovery discovery;
  discovery.ids[ModelCategory::text] = {"gpt-a"};
  discovery.ids[ModelCategory::tts] = {"tts-a"};
  RegistryRow known;
  known.provider_id = "openai";
  known.model_id = "gpt-a";
  known.record_id = "rec1";
  auto refresh = refresh_provider(
      discovery, "openai", {ModelCategory::text, ModelCategory::tts},
      [&] {
        discovery.calls.push_back("rows");
        return std::vector<RegistryRow>{known};
      },
      {}, kNow, {}, columns());
  CHECK(discovery.calls == std::vector<std::string>{"discover text", "discover tts", "rows"});
  REQUIRE(refresh.rows.size() == 2);
  CHECK(refresh.rows[0].record_id == "rec1");  // merged into the row given, not a new one
}

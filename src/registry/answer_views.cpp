// ModelRegistry's hot path (models_view, resolve_view): per-thread views of the answers,
// checked on every call by one acquire-load of a generation number that moves whenever an
// answer may have changed. A hit reads nothing another thread writes, and writes only its
// own thread's counter (on its own cache line): it scales with threads. A miss, or any call
// after the generation moved, goes through models()/resolve() and keeps what they answered.
#include <cassert>
#include <deque>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "airreg/model_registry.hpp"

namespace airreg {

namespace detail {
thread_local constinit ThreadViews* tl_views = nullptr;
}  // namespace detail

namespace {

using detail::ThreadViews;
using detail::ViewSlot;

// Each view set belongs to one registry, told apart by an id never reused (an address is).
std::atomic<uint64_t> next_views_id{1};

struct alignas(64) HitCounter {
  std::atomic<uint64_t> hits{0};
};

// Owns this thread's views (tl_views points to them) and frees them when the thread ends.
struct ThreadViewsOwner {
  ThreadViews views;
  ThreadViewsOwner() { detail::tl_views = &views; }
  ~ThreadViewsOwner() { detail::tl_views = nullptr; }
};

ThreadViews& this_thread_views() {
  thread_local ThreadViewsOwner owner;
  return owner.views;
}

size_t slot_index(ModelRegistry::ProviderHandle provider, ModelCategory category) {
  return static_cast<size_t>(provider) * 2 + (category == ModelCategory::tts ? 1 : 0);
}

}  // namespace

struct ModelRegistry::Views {
  const uint64_t id = next_views_id.fetch_add(1, std::memory_order_relaxed);
  mutable std::mutex mutex;  // the names and the counters; never on a hit
  std::unordered_map<std::string, ProviderHandle> handles;
  std::deque<std::string> names;
  std::deque<HitCounter> counters;
  // One counter per thread, kept when the thread turns to another registry and back.
  std::unordered_map<std::thread::id, std::atomic<uint64_t>*> counter_of;

  std::string name(ProviderHandle h) const {
    std::lock_guard lock(mutex);
    return h < names.size() ? names[h] : std::string();
  }
  // This thread's views, made current: another registry's, or an older generation's, are dropped.
  ThreadViews& current(uint64_t seen_generation) {
    ThreadViews& v = this_thread_views();
    if (v.registry != id) {
      std::lock_guard lock(mutex);
      v.registry = id;
      auto [counter, fresh] = counter_of.try_emplace(std::this_thread::get_id());
      if (fresh) counter->second = &counters.emplace_back().hits;
      v.hits = counter->second;
      v.slots.clear();
      v.slot_count = 0;
      v.generation = seen_generation;
    } else if (v.generation != seen_generation) {
      for (auto& s : v.slots) s = ViewSlot{};
      v.generation = seen_generation;
    }
    return v;
  }
  static ViewSlot& slot(ThreadViews& v, size_t index) {
    if (index >= v.slots.size()) {
      v.slots.resize(index + 1);
      v.slot_count = v.slots.size();
    }
    return v.slots[index];
  }
};

// A registry's generations are its views id times 2^40 plus the changes so far: unique across
// registries (2^40 changes would take 35 years at a thousand a second), and never 0.
ModelRegistry::ModelRegistry() : views_(std::make_unique<Views>()) {
  // 2^24 registries in one process before the ids would reach the top bits: a registry a
  // second for half a year.
  assert(views_->id < (uint64_t{1} << 24));
  generation_.value.store(views_->id << 40, std::memory_order_relaxed);
}
ModelRegistry::~ModelRegistry() = default;

std::optional<AirtableClient> ModelRegistry::airtable_client() const { return std::nullopt; }

ModelRegistry::ProviderHandle ModelRegistry::handle(std::string_view provider) {
  std::lock_guard lock(views_->mutex);
  std::string key(provider);
  if (auto it = views_->handles.find(key); it != views_->handles.end()) return it->second;
  auto h = static_cast<ProviderHandle>(views_->names.size());
  views_->names.push_back(key);
  views_->handles.emplace(std::move(key), h);
  return h;
}

Result<const ModelList*> ModelRegistry::models_view_miss(ProviderHandle provider, ModelCategory category, bool include_inactive) {
  // The generation is read before the answer: a change while it is made moves it again, and
  // the next call asks again.
  uint64_t generation = generation_.value.load(std::memory_order_acquire);
  std::string name = views_->name(provider);
  if (name.empty()) return std::unexpected(make_error(ErrorCode::invalid_argument, "no provider has this handle"));
  auto answer = models(name, category, include_inactive);
  if (!answer) return std::unexpected(answer.error());
  ViewSlot& s = Views::slot(views_->current(generation), slot_index(provider, category));
  s.lists[include_inactive] = std::move(*answer);
  return s.lists[include_inactive].get();
}

Result<const ModelChoice*> ModelRegistry::resolve_view_miss(ProviderHandle provider, ModelCategory category,
                                                             std::string_view requested) {
  uint64_t generation = generation_.value.load(std::memory_order_acquire);
  size_t index = slot_index(provider, category);
  std::string name = views_->name(provider);
  if (name.empty()) return std::unexpected(make_error(ErrorCode::invalid_argument, "no provider has this handle"));
  auto chosen = resolve(name, category, std::string(requested));
  if (!chosen) return std::unexpected(chosen.error());
  ViewSlot& s = Views::slot(views_->current(generation), index);
  s.requested.assign(requested);
  s.choice = std::move(*chosen);
  return &*s.choice;
}

void ModelRegistry::answers_changed() noexcept { generation_.value.fetch_add(1, std::memory_order_acq_rel); }

size_t ModelRegistry::view_hits() const {
  std::lock_guard lock(views_->mutex);
  size_t total = 0;
  for (const auto& c : views_->counters) total += c.hits.load(std::memory_order_relaxed);
  return static_cast<size_t>(total);
}

}  // namespace airreg

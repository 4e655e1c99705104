// The cache and its loads in flight, the fleet's change notices, and the answers made from
// each new snapshot of the table (see registry_impl.hpp).
#include <algorithm>

#include "registry/registry_impl.hpp"
#include "registry/resolve.hpp"

namespace airreg::registry {

namespace {

std::shared_ptr<const ModelList> as_hit(const std::shared_ptr<const ModelList>& list) {
  if (list->degraded) return list;  // a hit on a degraded answer says what it is
  auto copy = std::make_shared<ModelList>(*list);  // its rows are shared, not copied
  copy->source = AnswerSource::cache;
  return copy;
}

}  // namespace

Entry make_entry(ModelList all, Clock::TimePoint expires) {
  all.origin = all.source;
  ModelList usable = all;  // the lists share their rows
  usable.models = all.models.filtered([](const RegistryRow& r) { return registry::servable(r); });
  Entry e;
  e.all = std::make_shared<ModelList>(std::move(all));
  e.usable = std::make_shared<ModelList>(std::move(usable));
  e.all_hit = as_hit(e.all);
  e.usable_hit = as_hit(e.usable);
  e.expires = expires;
  return e;
}

// Our write-back changed these providers' rows: our table is old, so is the fleet's.
void RegistryImpl::written(const std::set<std::string>& providers) {
  table_.count_calls();
  // With webhooks the payloads bring our own changes too (applied, not read again).
  if (webhook_) return;
  table_.invalidate();
  fleet_->announce_change(std::vector<std::string>(providers.begin(), providers.end()));
}

// Another instance changed rows (or notices may have been missed): those keys expire now
// and are loaded again at once; until the new rows are in, callers get the answers they had
// (marked with their age) rather than a wait or a fallback.
void RegistryImpl::noticed(const fleet::Notice& n) {
  if (n.kind != fleet::Notice::Kind::changed) return;
  table_.invalidate();
  // Before the cache is scanned: a load that ends in between is either marked, or has
  // stored its answer where the scan finds it.
  loads_outdated(n.providers);
  std::vector<Key> expired;
  {
    std::unique_lock lock(cache_mutex_);
    auto now = clock_.now();
    for (auto& [key, entry] : cache_) {
      bool named = n.providers.empty() || std::find(n.providers.begin(), n.providers.end(), key.first) != n.providers.end();
      if (!named) continue;
      entry.expires = std::min(entry.expires, now);
      expired.push_back(key);
    }
  }
  answers_changed();
  for (const auto& key : expired) (void)start_load(key, true);
}

Result<std::shared_ptr<const ModelList>> RegistryImpl::answer(const Key& key, bool include_inactive) {
  {
    std::shared_lock lock(cache_mutex_);
    if (auto it = cache_.find(key); it != cache_.end()) return include_inactive ? it->second.all : it->second.usable;
  }
  std::lock_guard lock(flight_mutex_);
  if (auto it = failures_.find(key); it != failures_.end()) return std::unexpected(it->second);
  return std::unexpected(make_error(ErrorCode::not_found, "no answer for " + key.first));
}

// A degraded answer never replaces a sound one that is still valid.
void RegistryImpl::put(const Key& key, const Entry& entry) {
  std::unique_lock lock(cache_mutex_);
  auto it = cache_.find(key);
  if (it != cache_.end() && entry.all->degraded && !it->second.all->degraded && clock_.now() < it->second.expires) return;
  cache_[key] = entry;
  lock.unlock();
  expiry_.expires_at(entry.expires);
  answers_changed();
}

// The earliest expiry after `now` of the answers held (for the hot path's expiry watch).
Clock::TimePoint RegistryImpl::next_expiry(Clock::TimePoint now) const {
  std::shared_lock lock(cache_mutex_);
  auto next = Clock::TimePoint::max();
  for (const auto& [key, entry] : cache_)
    if (entry.expires > now) next = std::min(next, entry.expires);
  return next;
}

// One load per key at a time, in the background: concurrent misses share it. After a change
// (`changed`), a load already in flight may have read the table before it: it is joined, and
// marked to load once more when it ends, so the older answer it stores does not stand.
std::shared_future<void> RegistryImpl::start_load(const Key& key, bool changed) {
  std::lock_guard lock(flight_mutex_);
  if (auto it = loading_.find(key); it != loading_.end()) {
    it->second.again |= changed;
    return it->second.done;
  }
  auto promise = std::make_shared<std::promise<void>>();
  std::shared_future<void> done = promise->get_future().share();
  loading_.emplace(key, Flight{done, clock_.now(), false});
  bool posted = pool_.post([this, key, promise] {
    // Whatever happens in a run, the key is free again after the last, and only then are the
    // waiters released: a caller who comes after a release must start a new load, never join
    // a finished one (a waiter that gives up meanwhile takes the first run's stored answer).
    for (bool again = true; again;) {
      try {
        load(key, false);
      } catch (const std::exception& e) {
        remember_failure(key, make_error(ErrorCode::transport, std::string("the registry's load failed: ") + e.what()));
      } catch (...) {
        remember_failure(key, make_error(ErrorCode::transport, "the registry's load failed"));
      }
      {
        std::lock_guard l(flight_mutex_);
        auto& flight = loading_.at(key);
        again = flight.again && !pool_.stop_token().stop_requested();
        flight.again = false;
        if (again) {
          flight.started = clock_.now();  // other misses' waits count from this run
        } else {
          loading_.erase(key);
        }
      }
      // What the run stored came from a table read before the change: the next run's answer
      // replaces it even when degraded (say, the rows read again while this run's history
      // row is still on its way to Airtable, so the listing does not look fresh yet).
      if (again) expire_now(key);
    }
    promise->set_value();
  });
  if (!posted) {
    loading_.erase(key);
    promise->set_value();
  }
  return done;
}

// How long a miss may wait: wait_for, less the time the oldest load in flight has run
// already (they all wait for the same table read), so that asking for three providers while
// Airtable hangs costs one wait_for, not three.
std::chrono::milliseconds RegistryImpl::miss_wait() {
  auto now = clock_.now();
  Clock::TimePoint oldest = now;
  {
    std::lock_guard lock(flight_mutex_);
    for (const auto& [key, flight] : loading_) oldest = std::min(oldest, flight.started);
  }
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(now - oldest);
  return std::max(std::chrono::milliseconds(0), options_.wait_for - waited);
}

void RegistryImpl::expire_now(const Key& key) {
  std::unique_lock lock(cache_mutex_);
  if (auto it = cache_.find(key); it != cache_.end()) it->second.expires = std::min(it->second.expires, clock_.now());
}

// The rows of these providers (every one when empty) changed: loads in flight for them,
// first misses included, may have read the table before, so each loads once more.
void RegistryImpl::loads_outdated(const std::vector<std::string>& providers) {
  std::lock_guard lock(flight_mutex_);
  for (auto& [key, flight] : loading_)
    if (providers.empty() || std::find(providers.begin(), providers.end(), key.first) != providers.end())
      flight.again = true;
}

void RegistryImpl::remember_failure(const Key& key, Error e) {
  std::lock_guard lock(flight_mutex_);
  failures_[key] = std::move(e);
}

// After a read: every provider whose listing is fresh is answered from it, every category.
void RegistryImpl::fill_fresh(const Snapshot& snap) {
  auto wall = std::chrono::system_clock::now();
  for (const auto& provider : snap->providers()) {
    if (!fresh(*snap, provider, wall)) continue;
    for (ModelCategory c : {ModelCategory::text, ModelCategory::tts}) {
      auto rows = snap->rows_in(provider, c);
      if (rows.empty() && registry::offered_categories(*discovery_, provider, {c}).empty()) continue;
      put({provider, c}, airtable_entry(*snap, provider, c, std::move(rows)));
    }
  }
}

bool RegistryImpl::fresh(const TableSnapshot& snap, const std::string& provider, SystemTime wall) const {
  auto listed = snap.listed_at(provider, wall);
  auto trusted_for = std::chrono::duration_cast<std::chrono::seconds>(options_.fresh_for * trust_factor_);
  return listed && wall - *listed < trusted_for;
}

Entry RegistryImpl::airtable_entry(const TableSnapshot& snap, const std::string& provider, ModelCategory category,
                                   RowList rows, std::vector<std::string> notes) {
  ModelList list;
  list.provider = provider;
  list.category = category;
  list.models = std::move(rows);
  list.source = snap.shared ? AnswerSource::shared : AnswerSource::airtable;
  list.as_of = snap.read_at;
  list.version = snap.version;
  list.warnings = snap.warnings_of(provider);
  for (auto& n : notes) list.warnings.push_back(std::move(n));
  return make_entry(std::move(list), clock_.now() + options_.cache_ttl);
}

}  // namespace airreg::registry

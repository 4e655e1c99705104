// One load of a provider's answer: the table when its listing is fresh, else the provider
// (merged into the rows and written back), else stale rows, else the curated list (see
// registry_impl.hpp).
#include <algorithm>
#include <utility>

#include "core/time_text.hpp"
#include "registry/history_rows.hpp"
#include "registry/registry_impl.hpp"
#include "registry/resolve.hpp"

namespace airreg::registry {

namespace {

// The rows of one category, moved out of `rows` (which keeps the others): a refresh's rows
// become its answers without a second copy of every row.
std::vector<RegistryRow> take_category(std::vector<RegistryRow>& rows, ModelCategory category) {
  auto mine = static_cast<size_t>(std::count_if(rows.begin(), rows.end(), [&](const RegistryRow& r) { return r.category == category; }));
  // Sized once (10,000 rows are 5 MB of RegistryRow; growing by doubling would hold twice that).
  if (mine == rows.size()) return std::exchange(rows, {});
  // The smaller part moves to a vector of its own; the larger keeps the buffer it is in.
  bool keep_mine = mine >= rows.size() - mine;
  auto moves = [&](const RegistryRow& r) { return (r.category == category) != keep_mine; };
  std::vector<RegistryRow> moved;
  moved.reserve(keep_mine ? rows.size() - mine : mine);
  for (auto& r : rows)
    if (moves(r)) moved.push_back(std::move(r));
  std::erase_if(rows, moves);  // a moved-from row keeps its category
  if (!keep_mine) return moved;
  std::swap(rows, moved);
  return moved;
}

RegistryRow curated_row(const std::string& provider, ModelCategory category, const ModelInfo& m) {
  RegistryRow r;
  r.provider_id = provider;
  r.model_id = m.id;
  r.model_name = m.display_name;
  r.category = category;
  r.status = ModelStatus::active;  // the last resort: someone chose these by hand
  r.available = true;
  r.discovery_method = "fallback";
  r.features = m.features;
  return r;
}

std::string age_text(std::chrono::system_clock::duration age) {
  auto hours = std::chrono::duration_cast<std::chrono::hours>(age).count();
  return hours >= 48 ? std::to_string(hours / 24) + " days" : std::to_string(hours) + " h";
}

}  // namespace

void RegistryImpl::load(const Key& key, bool force) {
  const auto& [provider, category] = key;
  {
    std::lock_guard lock(flight_mutex_);
    failures_.erase(key);
  }
  auto wall = std::chrono::system_clock::now();
  std::vector<std::string> warnings;
  auto read = table(false);
  bool live = read.has_value();
  Snapshot snap = live ? *read : known_snapshot();
  // The month's calls are spent (Airtable's quota, or our budget's share for reads): the rows
  // as last read answer. Not "Airtable down": nothing is merged against them or written.
  bool spent = !live && read.error().code == ErrorCode::quota_exhausted;
  if (!live) {
    warnings.push_back((spent ? read.error().message : "Airtable could not be read (" + read.error().describe() + ")") +
                       (snap ? "; statuses from the last snapshot" : "; no snapshot of the table yet"));
  }
  if (live && !force && !fresh(*snap, provider, wall)) {
    // Old by the history this table was read with: another instance may have listed it since
    // (one request, at most every 10 minutes).
    table_.refresh_history(std::chrono::minutes(10), pool_.stop_token());
    if (auto newer = known_snapshot()) snap = newer;
  }
  if (live && !force && fresh(*snap, provider, wall)) {
    put(key, airtable_entry(*snap, provider, category, snap->rows_in(provider, category)));
    return;
  }
  if (spent) {
    put(key, stale_or_curated(key, snap, live, wall, std::move(warnings)));
    return;
  }
  auto no_key = discovery_->missing_key(provider, category);
  bool known = !registry::offered_categories(*discovery_, provider, {category}).empty();
  if (live && (no_key || !known)) {
    // Nothing to list (no key, or rows people keep by hand for a provider airreg cannot
    // ask): the table's rows are the registry, when it has some.
    auto rows = snap->rows_in(provider, category);
    if (!rows.empty()) {
      std::string why = no_key ? *no_key : provider + " has no listing airreg can read";
      put(key, airtable_entry(*snap, provider, category, std::move(rows), {why + ": the rows as the table holds them"}));
      return;
    }
  }
  if (no_key) warnings.push_back(*no_key);
  if (!no_key && known && (force || ready_to_ask(provider))) {
    // One instance of the fleet asks a provider per discovery interval; the others serve the
    // rows until its write-back's notice arrives.
    if (force || fleet_->try_claim("discover:" + provider, options_.discovery_interval)) {
      if (auto listed = ask_provider(key, snap, live, wall, warnings)) {
        put(key, *listed);
        return;
      }
    } else {
      warnings.push_back("another instance of the fleet is asking " + provider + " (or did so within " +
                         std::to_string(options_.discovery_interval.count()) + " s)");
    }
  }
  put(key, stale_or_curated(key, snap, live, wall, std::move(warnings)));
}

// Discovery of every category of the provider, merged with its rows; writes back only
// what was merged against rows actually read, or a snapshot. Nothing when the listing of
// `key`'s category failed.
std::optional<Entry> RegistryImpl::ask_provider(const Key& key, const Snapshot& snap, bool live, SystemTime wall,
                                                std::vector<std::string>& warnings) {
  const auto& [provider, category] = key;
  {
    std::lock_guard lock(asked_mutex_);
    asked_at_[provider] = clock_.now();
  }
  std::vector<ModelCategory> categories;
  for (ModelCategory c : registry::offered_categories(*discovery_, provider, {ModelCategory::text, ModelCategory::tts}))
    if (!discovery_->missing_key(provider, c)) categories.push_back(c);
  provider_calls_.fetch_add(categories.size(), std::memory_order_relaxed);
  registry::MergePolicy policy{options_.new_status, options_.grace, options_.verify_interval, 0.5, true};
  auto rows = [&] { return snap ? snap->rows_in(provider) : RowList(); };
  const std::set<std::string> none;
  const std::set<std::string>& untouchable = snap ? snap->parsed.untouchable : none;
  // Merged against nothing (no read, no snapshot): nothing is written, it would overwrite
  // a person's cells. Else writes are queued in batches as the merge makes them.
  std::optional<Error> unqueued;
  bool queued_any = false;
  // Whatever happens after a batch is queued (an exception included), the flusher is woken.
  struct WakeOnExit {
    registry::WriteBack& back;
    const bool& wanted;
    ~WakeOnExit() {
      if (wanted) back.wake();
    }
  } wake_on_exit{write_back_, queued_any};
  registry::WriteBatches queue = [&](std::vector<Fields>&& batch) {
    if (!snap) return;
    auto current = snap->records_of(provider, tables_.registry, batch);  // decoded for this batch only
    // The writer skips its re-read of people's cells only when this instance read the
    // table moments ago; a snapshot up to an hour old, or another instance's, may miss an edit.
    bool read_just_now = live && !snap->shared && std::chrono::system_clock::now() - snap->read_at < std::chrono::seconds(10);
    // The flusher is woken once every batch and the history row are queued: the fleet is
    // told of the rows when they land, and should find the listing fresh by then.
    auto queued = write_back_.submit(std::move(batch), current.cells, read_just_now, false);
    if (!queued && !unqueued) unqueued = queued.error();
    queued_any = queued_any || queued.has_value();
  };
  auto refresh = registry::refresh_provider(*discovery_, provider, categories, rows, untouchable, wall, policy,
                                            tables_.registry, pool_.stop_token(), queue);
  if (unqueued) warnings.push_back("could not queue the write-back: " + unqueued->describe());
  {
    std::lock_guard lock(asked_mutex_);
    auto& counts = provider_outcomes_[provider];
    for (const auto& c : refresh.categories) ++(c.listing ? counts.first : counts.second);
  }
  if (!refresh.listed()) {
    errors_.fetch_add(1, std::memory_order_relaxed);
    std::lock_guard lock(asked_mutex_);
    failed_until_[provider] = clock_.now() + options_.negative_ttl;  // a dead provider is not hammered
  }
  write_history(refresh, snap, live, warnings);
  if (!snap) apply_outbox_statuses(provider, refresh.rows);
  std::optional<Entry> mine;
  for (const auto& c : refresh.categories) {
    if (!c.listing) {
      if (c.category == category && c.error) warnings.push_back(c.error->describe());
      continue;
    }
    ModelList list;
    list.provider = provider;
    list.category = c.category;
    list.models = take_category(refresh.rows, c.category);
    list.source = AnswerSource::provider;
    list.as_of = wall;
    list.degraded = !live;
    list.version = snap ? snap->version : 0;
    list.warnings = warnings;
    if (snap)
      for (auto& w : snap->warnings_of(provider)) list.warnings.push_back(std::move(w));
    for (const auto& w : c.merged.warnings) list.warnings.push_back(w);
    Entry e = make_entry(std::move(list), clock_.now() + (live ? options_.cache_ttl : options_.negative_ttl));
    if (c.category == category) {
      mine = e;
    } else {
      put({provider, c.category}, e);
    }
  }
  return mine;
}

// The history row of each category, where the table was read.
void RegistryImpl::write_history(const registry::ProviderRefresh& refresh, const Snapshot& snap, bool live, std::vector<std::string>& warnings) {
  if (!snap || !live || !refresh.listed()) return;  // "listed" only where the table was read
  std::vector<Fields> history;
  std::string now = core_now();
  for (const auto& c : refresh.categories) {
    ProviderSync sync = registry::sync_record(refresh.provider, c);
    sync.started = sync.finished = now;
    history.push_back(registry::history_row(sync, tables_.history, instance_, 0));
  }
  if (auto queued = write_back_.submit_history(history); !queued)
    warnings.push_back("could not queue the history: " + queued.error().describe());
}

// No table read and no snapshot: a status a person's row is known to hold from the outbox
// (a row queued earlier) still stands; new models follow the new-model policy.
void RegistryImpl::apply_outbox_statuses(const std::string& provider, std::vector<RegistryRow>& rows) {
  auto waiting = outbox_->waiting(client_.config().base_id);
  if (!waiting) return;
  const auto& c = tables_.registry;
  for (const auto& e : *waiting) {
    auto get = [&](const char* key) -> std::string {
      auto it = e.fields.find(c.cell(key));
      const std::string* s = it == e.fields.end() ? nullptr : std::get_if<std::string>(&it->second);
      return s ? *s : std::string();
    };
    if (get("provider_id") != provider) continue;
    auto status = parse_status(get("status"));
    if (!status) continue;
    for (auto& r : rows)
      if (r.model_id == get("model_id")) r.status = *status;
  }
}

// The rows however old (stale, with their age), else the curated list without the models a
// person's row refuses, else an error.
Entry RegistryImpl::stale_or_curated(const Key& key, const Snapshot& snap, bool live, SystemTime wall, std::vector<std::string> warnings) {
  const auto& [provider, category] = key;
  ModelList list;
  list.provider = provider;
  list.category = category;
  list.degraded = true;
  list.version = snap ? snap->version : 0;
  auto rows = snap ? snap->rows_in(provider, category) : RowList();
  auto expires = clock_.now() + options_.negative_ttl;
  if (!rows.empty()) {
    // Their age: when the listing was last read, else (older than the history we read) the
    // newest Last Verified, an upper bound.
    auto listed = snap->listed_at(provider, wall);
    std::optional<SystemTime> verified;
    for (const auto& r : rows)
      if (r.last_verified) verified = std::max(verified.value_or(*r.last_verified), std::min(*r.last_verified, wall));
    list.as_of = listed ? *listed : verified.value_or(snap->read_at);
    list.source = AnswerSource::stale;
    list.models = std::move(rows);
    if (wall - list.as_of > options_.stale_warn_after)
      warnings.push_back("the rows of " + provider + " were last listed " + age_text(wall - list.as_of) +
                         " ago (the provider could not be asked since)");
    else if (!listed && wall - snap->read_at < options_.stale_warn_after && !verified)
      warnings.push_back("the rows of " + provider + " carry no sign of when they were last listed");
    list.warnings = std::move(warnings);
    (void)live;
    return make_entry(std::move(list), expires);
  }
  auto curated = discovery_->curated(provider, category);
  for (const auto& m : curated.models) {
    // Whatever its category: a person's disabled row refuses the curated entry of its id.
    bool refused = snap && std::any_of(snap->parsed.rows.begin(), snap->parsed.rows.end(), [&](const RegistryRow& r) {
      return r.provider_id == provider && r.model_id == m.id && !usable(r.status);
    });
    if (!refused) list.models.push_back(curated_row(provider, category, m));
  }
  list.source = AnswerSource::curated;
  list.as_of = wall;
  for (auto& w : curated.warnings) warnings.push_back(std::move(w));
  list.warnings = std::move(warnings);
  if (curated.models.empty()) {
    std::string why;
    for (const auto& w : list.warnings) why += (why.empty() ? "" : "; ") + w;
    remember_failure(key, make_error(ErrorCode::not_found, "no models known for " + provider + " (" +
                                                               std::string(to_string(category)) + "): " + why));
  }
  return make_entry(std::move(list), expires);
}

// The best answer right now, without waiting: the last snapshot's rows, else curated.
Result<Entry> RegistryImpl::fallback_entry(const Key& key) {
  Snapshot snap = known_snapshot();
  auto e = stale_or_curated(key, snap, false, std::chrono::system_clock::now(),
                            {"still loading (waited " + std::to_string(options_.wait_for.count()) + " ms): a fallback answers meanwhile"});
  if (e.all->models.empty() && e.all->source == AnswerSource::curated) {
    std::lock_guard lock(flight_mutex_);
    if (auto it = failures_.find(key); it != failures_.end()) return std::unexpected(it->second);
  }
  return e;
}

// At most one discovery per provider per interval, none while a recent failure is remembered.
bool RegistryImpl::ready_to_ask(const std::string& provider) {
  std::lock_guard lock(asked_mutex_);
  auto now = clock_.now();
  if (auto failed = failed_until_.find(provider); failed != failed_until_.end() && now < failed->second) return false;
  auto asked = asked_at_.find(provider);
  return asked == asked_at_.end() || now - asked->second >= options_.discovery_interval;
}

std::string RegistryImpl::core_now() { return core::format_utc(std::chrono::system_clock::now()); }

}  // namespace airreg::registry

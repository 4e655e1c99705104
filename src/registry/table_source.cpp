#include "registry/table_source.hpp"

#include "core/backoff.hpp"
#include "registry/snapshot_changes.hpp"
#include "registry/snapshot_codec.hpp"
#include "registry/table_reader.hpp"

namespace airreg::registry {

namespace {

using namespace std::chrono_literals;

// The table lease lives this long past its last renewal (every third of it): a holder that
// died gives it up within this.
constexpr std::chrono::milliseconds kLeaseTtl{10'000};
constexpr std::chrono::hours kQuotaRecheck{1};
uint64_t millis(SystemTime t) {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count());
}

}  // namespace

TableSource::TableSource(AirtableClient client, airtable::BoundTables tables, std::filesystem::path state_dir,
                         std::shared_ptr<fleet::Fleet> fleet, std::shared_ptr<CallBudget> budget, Settings settings)
    : client_(std::move(client)),
      tables_(std::move(tables)),
      store_(std::move(state_dir)),
      fleet_(std::move(fleet)),
      budget_(std::move(budget)),
      settings_(std::move(settings)) {}

Clock::Duration TableSource::period() const {
  if (pushed_) return settings_.full_read_every;  // webhooks tell every change
  if (budget_) return budget_->period();
  return settings_.ttl;
}

Result<Snapshot> TableSource::get(bool force, const std::stop_token& stop) {
  std::lock_guard reading(read_mutex_);
  uint64_t generation = 0;
  uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    auto now = settings_.clock.now();
    // With webhooks the table is kept up to date by payloads until a full read is due.
    bool young = pushed_ ? now < full_read_due_ : now - loaded_ < period();
    if (!force && current_ && live_ && young) return current_;
    if (!force && now < failed_until_) return std::unexpected(error_);
    generation = generation_;
    seq = shared_seq_;
  }
  if (force || !fleet_->shared()) return read_airtable(stop, generation, force);
  // Another instance's read, else the lease to read for everyone; while another instance holds
  // it, its snapshot is awaited (it is announced), or the lease taken once its holder is gone.
  auto until = std::chrono::steady_clock::now() + settings_.lease_wait;
  for (;;) {
    if (auto taken = adopt(fleet_->snapshot(seq), generation)) return *taken;
    if (auto lease = fleet_->try_lease("table", kLeaseTtl)) return read_airtable(stop, generation, false);
    auto slice = std::min(until, std::chrono::steady_clock::now() + std::chrono::milliseconds(500));
    if (auto taken = adopt(fleet_->wait_snapshot(seq, slice, stop), generation)) return *taken;
    if (stop.stop_requested() || std::chrono::steady_clock::now() >= until) break;
  }
  Error busy = make_error(ErrorCode::timeout, "another instance of the fleet is reading the table", true);
  std::lock_guard lock(mutex_);
  failed_until_ = settings_.clock.now() + settings_.negative_ttl;
  error_ = busy;
  return std::unexpected(busy);
}

Result<Snapshot> TableSource::read_airtable(const std::stop_token& stop, uint64_t generation, bool force) {
  if (budget_ && !budget_->reads_allowed()) {
    // Airtable's quota, or the reads' share of our budget, is spent: what there is answers,
    // with its age.
    auto quota = budget_->quota_spent();
    Error spent = make_error(ErrorCode::quota_exhausted,
                             quota ? *quota
                                   : "the monthly call budget's share for reads is spent (AIRREG_MONTHLY_CALL_BUDGET): "
                                     "answers are the table as last read, until next month");
    std::lock_guard lock(mutex_);
    failed_until_ = settings_.clock.now() + settings_.negative_ttl;
    error_ = spent;
    return std::unexpected(spent);
  }
  Snapshot base = force ? nullptr : known();
  // A revalidation needs a table to start from whose last full read is recent enough (its
  // changed rows are merged by record id).
  bool revalidating = false;
  if (base && base->read_at.time_since_epoch().count() > 0) {
    std::lock_guard lock(mutex_);
    revalidating = settings_.clock.now() < full_read_due_;
  }
  auto seq = fleet_->begin_read();
  auto read = revalidating ? with_retries([&] { return revalidate(*base); }, stop) : with_retries([&] { return full_read(); }, stop);
  count_calls();
  if (!read) {
    std::lock_guard lock(mutex_);
    // A spent quota comes back next month, not in a minute: it is asked about once an hour.
    if (budget_ && read.error().code == ErrorCode::quota_exhausted) budget_->quota_exhausted(read.error().message);
    auto pause = read.error().code == ErrorCode::quota_exhausted
                     ? std::max<Clock::Duration>(settings_.negative_ttl, kQuotaRecheck)
                     : Clock::Duration(settings_.negative_ttl);
    failed_until_ = settings_.clock.now() + pause;
    error_ = read.error();
    return std::unexpected(read.error());
  }
  keep(*read, seq);
  auto snap = std::make_shared<const TableSnapshot>(std::move(*read));
  {
    std::lock_guard lock(mutex_);
    if (seq && generation == generation_) shared_seq_ = *seq;
  }
  use(snap, settings_.clock.now(), generation);
  return snap;
}

Result<TableSnapshot> TableSource::full_read() {
  size_t requests = 0;
  reads_.fetch_add(1, std::memory_order_relaxed);
  auto read = read_table(client_, tables_.registry, tables_.history, std::chrono::system_clock::now(),
                         {settings_.look_back}, &requests);
  requests_.fetch_add(requests, std::memory_order_relaxed);
  if (read) read->version = millis(read->read_at);
  return read;
}

Result<TableSnapshot> TableSource::revalidate(const TableSnapshot& base) {
  size_t requests = 0;
  revalidations_.fetch_add(1, std::memory_order_relaxed);
  auto now = std::chrono::system_clock::now();
  // LAST_MODIFIED_TIME() is Airtable's clock, read_at ours: changes are asked for since a
  // margin before, so that a skew or a change landing as we read is never missed (the rows it
  // finds again are merely read twice).
  auto since = base.read_at - settings_.clock_skew;
  auto changed = changed_since(client_, tables_.registry, since, &requests);
  if (changed && !*changed) {
    requests_.fetch_add(requests, std::memory_order_relaxed);
    unchanged_.fetch_add(1, std::memory_order_relaxed);
    // The same rows, now known to be the table as of now (its version, an ETag, stays).
    TableSnapshot same = base;
    same.read_at = now;
    same.shared = false;
    return same;
  }
  if (!changed) {
    requests_.fetch_add(requests, std::memory_order_relaxed);
    return std::unexpected(changed.error());
  }
  auto rows = read_changed(client_, tables_.registry, since, &requests);
  if (!rows) {
    requests_.fetch_add(requests, std::memory_order_relaxed);
    return std::unexpected(rows.error());
  }
  // Rows change when a sync or a write-back ran, and those write a history run too: the
  // history is read again with them (one request), or the listings they made look old.
  auto history = read_history(client_, tables_.history, now, settings_.look_back, &requests);
  requests_.fetch_add(requests, std::memory_order_relaxed);
  if (!history) return std::unexpected(history.error());
  TableSnapshot updated = with_records(base, std::move(*rows), tables_.registry, now);
  updated.full_read_at = base.full_read_at;
  updated.last_listed = std::move(history->last_listed);
  updated.last_runs = std::move(history->last_runs);
  updated.history_read_at = now;
  return updated;
}

Result<TableSnapshot> TableSource::with_retries(const std::function<Result<TableSnapshot>()>& attempt,
                                                const std::stop_token& stop) {
  Error last;
  for (int n = 1; n <= std::max(1, settings_.read_attempts); ++n) {
    auto read = attempt();
    if (read) return read;
    last = read.error();
    errors_.fetch_add(1, std::memory_order_relaxed);
    if (last.code == ErrorCode::rate_limited) rate_limited_.fetch_add(1, std::memory_order_relaxed);
    bool again = last.retryable || last.code == ErrorCode::rate_limited;
    if (!again || stop.stop_requested()) break;
    // After a 429 the base's limiter is paused; the jitter comes on top of the pause, so that
    // instances paused together do not all come back in the same second. It spreads them over
    // a few pauses at most (Airtable's 30 s; less where a server says less in Retry-After).
    auto now = settings_.clock.now();
    auto from = now;
    Clock::Duration cap = 30s;
    if (last.code == ErrorCode::rate_limited && client_.rate_limiter()) {
      from = std::max(now, client_.rate_limiter()->paused_until());
      cap = std::clamp(Clock::Duration(4 * (from - now)), Clock::Duration(1s), Clock::Duration(30s));
    }
    auto jitter = core::backoff_delay(n, 1s, std::chrono::duration_cast<std::chrono::milliseconds>(cap),
                                      settings_.clock.uniform());
    settings_.clock.sleep_until(from + jitter, stop);
  }
  return std::unexpected(last);
}

void TableSource::keep(const TableSnapshot& snap, std::optional<uint64_t> seq) {
  if (auto saved = store_.save(client_.config().base_id, snap, tables_.registry); !saved && settings_.logger)
    settings_.logger->warn("the snapshot could not be saved: {}", saved.error().describe());
  if (seq) {
    // Refused by Redis when the table changed since the read began (its floor).
    (void)fleet_->put_snapshot(
        *seq, [&](const std::function<void(std::string_view)>& piece) { write_snapshot(snap, tables_.registry, piece); },
        std::chrono::duration_cast<std::chrono::milliseconds>(period()));
  }
}

std::optional<Snapshot> TableSource::adopt(std::optional<fleet::SharedSnapshot> shared, uint64_t generation) {
  if (!shared) return std::nullopt;
  std::string why;
  auto decoded = decode_snapshot(std::move(shared->body), tables_.registry, &why);  // its seq stays
  if (!decoded) {
    if (settings_.logger) settings_.logger->warn("the fleet's snapshot cannot be read ({}): reading Airtable", why);
    return std::nullopt;
  }
  // It expires when it would have for the instance that read it.
  auto age = std::chrono::system_clock::now() - decoded->read_at;
  if (age > period()) return std::nullopt;
  decoded->shared = true;
  shared_taken_.fetch_add(1, std::memory_order_relaxed);
  if (auto saved = store_.save(client_.config().base_id, *decoded, tables_.registry); !saved && settings_.logger)
    settings_.logger->warn("the snapshot could not be saved: {}", saved.error().describe());
  auto snap = std::make_shared<const TableSnapshot>(std::move(*decoded));
  {
    std::lock_guard lock(mutex_);
    if (generation == generation_) shared_seq_ = shared->seq;
  }
  use(snap, settings_.clock.now() - std::chrono::duration_cast<Clock::Duration>(std::max(age, decltype(age)::zero())),
      generation);
  return snap;
}

void TableSource::note_full_read(const TableSnapshot& snap) {
  // The due moment on the injected clock, from the snapshot's wall-clock age when first seen.
  if (current_ && current_->full_read_at == snap.full_read_at) return;
  auto age = std::chrono::system_clock::now() - snap.full_read_at;
  full_read_due_ = settings_.clock.now() + std::chrono::duration_cast<Clock::Duration>(settings_.full_read_every - age);
}

void TableSource::use(Snapshot snap, Clock::TimePoint loaded, uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    note_full_read(*snap);
    current_ = snap;
    // Invalidated while it was being read: it answers now, but the next get() reads again.
    live_ = generation == generation_;
    loaded_ = loaded;
    failed_until_ = {};
  }
  if (on_new_) on_new_(snap);
}

std::optional<std::set<std::string>> TableSource::apply(const std::vector<RecordChange>& changes) {
  std::lock_guard reading(read_mutex_);
  Snapshot base;
  uint64_t generation = 0;
  Clock::TimePoint loaded{};
  {
    std::lock_guard lock(mutex_);
    // Only onto the table as read from Airtable and not invalidated since: a disk snapshot or
    // an invalidated table with the payload on top would pass for the table as it is.
    if (live_) base = current_;
    generation = generation_;
    loaded = loaded_;
  }
  std::set<std::string> providers;
  bool unknown = false;
  if (!base || !tables_.registry.by_id()) {
    invalidate();
    return std::nullopt;
  }
  // The table stays "as read at" its last read (its read_at, when it was loaded): a payload
  // is not a read, and the write-back's "read just now" and the next full read go by it.
  TableSnapshot updated = with_changes(*base, changes, tables_.registry.table(), tables_.registry, base->read_at, providers, &unknown);
  if (unknown) {
    invalidate();
    return std::nullopt;
  }
  updated.full_read_at = base->full_read_at;
  updated.history_read_at = base->history_read_at;
  auto seq = fleet_->begin_read();
  keep(updated, seq);
  {
    std::lock_guard lock(mutex_);
    if (seq && generation == generation_) shared_seq_ = *seq;
  }
  use(std::make_shared<const TableSnapshot>(std::move(updated)), loaded, generation);
  return providers;
}

void TableSource::refresh_history(std::chrono::seconds older_than, const std::stop_token& stop) {
  std::lock_guard reading(read_mutex_);
  Snapshot base;
  uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    base = current_;
    generation = generation_;  // with the base: an invalidation meanwhile keeps it not live
  }
  auto now = std::chrono::system_clock::now();
  if (!base || now - base->history_read_at < older_than || stop.stop_requested()) return;
  if (budget_ && !budget_->reads_allowed()) return;
  size_t requests = 0;
  auto history = read_history(client_, tables_.history, now, settings_.look_back, &requests);
  requests_.fetch_add(requests, std::memory_order_relaxed);
  count_calls();
  if (!history) return;  // the listing then counts as old, as it looked
  TableSnapshot updated = *base;
  updated.last_listed = std::move(history->last_listed);
  updated.last_runs = std::move(history->last_runs);
  updated.history_read_at = now;
  keep(updated, std::nullopt);
  Clock::TimePoint loaded{};
  {
    std::lock_guard lock(mutex_);
    loaded = loaded_;
  }
  use(std::make_shared<const TableSnapshot>(std::move(updated)), loaded, generation);
}

Snapshot TableSource::known() {
  std::lock_guard lock(mutex_);
  if (!current_ && !disk_tried_) {
    // Airtable is down and nothing was read in this process: the snapshot on disk.
    disk_tried_ = true;
    if (auto disk = store_.load(client_.config().base_id, tables_.registry)) {
      note_full_read(*disk);
      current_ = std::make_shared<const TableSnapshot>(std::move(*disk));
      live_ = false;
    }
  }
  return current_;
}

Snapshot TableSource::current() const {
  std::lock_guard lock(mutex_);
  return current_;
}

void TableSource::invalidate() {
  std::lock_guard lock(mutex_);
  live_ = false;
  failed_until_ = {};
  ++generation_;
  // Whatever the fleet holds after a change is newer (its floor refuses older reads); and
  // after Redis lost its data the sequence starts again from one.
  shared_seq_ = 0;
}

void TableSource::set_pushed(bool pushed) { pushed_ = pushed; }

void TableSource::count_calls() const {
  if (budget_) budget_->count(client_.request_count());
}

TableSource::Counters TableSource::counters() const {
  return Counters{reads_.load(),        requests_.load(),      errors_.load(),   rate_limited_.load(),
                  shared_taken_.load(), revalidations_.load(), unchanged_.load()};
}

}  // namespace airreg::registry

#include "registry/table_source.hpp"

#include "core/backoff.hpp"
#include "registry/snapshot_codec.hpp"
#include "registry/table_reader.hpp"

namespace airreg::registry {

namespace {

using namespace std::chrono_literals;

// The table lease lives this long past its last renewal (every third of it): a holder that
// died gives it up within this.
constexpr std::chrono::milliseconds kLeaseTtl{10'000};

}  // namespace

TableSource::TableSource(AirtableClient client, airtable::BoundTables tables, std::filesystem::path state_dir,
                         std::shared_ptr<fleet::Fleet> fleet, Settings settings)
    : client_(std::move(client)),
      tables_(std::move(tables)),
      store_(std::move(state_dir)),
      fleet_(std::move(fleet)),
      settings_(std::move(settings)) {}

Result<Snapshot> TableSource::get(bool force, const std::stop_token& stop) {
  std::lock_guard reading(read_mutex_);
  uint64_t generation = 0;
  uint64_t seq = 0;
  {
    std::lock_guard lock(mutex_);
    auto now = settings_.clock.now();
    if (!force && current_ && live_ && now - loaded_ < settings_.ttl) return current_;
    if (!force && now < failed_until_) return std::unexpected(error_);
    generation = generation_;
    seq = shared_seq_;
  }
  if (force || !fleet_->shared()) return read_airtable(stop, generation);
  // Another instance's read, else the lease to read for everyone; while another instance holds
  // it, its snapshot is awaited (it is announced), or the lease taken once its holder is gone.
  auto until = std::chrono::steady_clock::now() + settings_.lease_wait;
  for (;;) {
    if (auto taken = adopt(fleet_->snapshot(seq), generation)) return *taken;
    if (auto lease = fleet_->try_lease("table", kLeaseTtl)) return read_airtable(stop, generation);
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

Result<Snapshot> TableSource::read_airtable(const std::stop_token& stop, uint64_t generation) {
  auto seq = fleet_->begin_read();
  auto read = read_with_retries(stop);
  if (!read) {
    std::lock_guard lock(mutex_);
    failed_until_ = settings_.clock.now() + settings_.negative_ttl;
    error_ = read.error();
    return std::unexpected(read.error());
  }
  read->version = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(read->read_at.time_since_epoch()).count());
  if (auto saved = store_.save(client_.config().base_id, *read, tables_.registry); !saved && settings_.logger)
    settings_.logger->warn("the snapshot could not be saved: {}", saved.error().describe());
  if (seq) {
    // Refused by Redis when the table changed since the read began (its floor).
    (void)fleet_->put_snapshot(*seq, encode_snapshot(*read, tables_.registry),
                               std::chrono::duration_cast<std::chrono::milliseconds>(settings_.ttl));
  }
  auto snap = std::make_shared<const TableSnapshot>(std::move(*read));
  {
    std::lock_guard lock(mutex_);
    if (seq && generation == generation_) shared_seq_ = *seq;
  }
  use(snap, settings_.clock.now(), generation);
  return snap;
}

std::optional<Snapshot> TableSource::adopt(std::optional<fleet::SharedSnapshot> shared, uint64_t generation) {
  if (!shared) return std::nullopt;
  std::string why;
  auto decoded = decode_snapshot(shared->body, tables_.registry, &why);
  if (!decoded) {
    if (settings_.logger) settings_.logger->warn("the fleet's snapshot cannot be read ({}): reading Airtable", why);
    return std::nullopt;
  }
  // It expires when it would have for the instance that read it.
  auto age = std::chrono::system_clock::now() - decoded->read_at;
  if (age > settings_.ttl) return std::nullopt;
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

void TableSource::use(Snapshot snap, Clock::TimePoint loaded, uint64_t generation) {
  {
    std::lock_guard lock(mutex_);
    current_ = snap;
    // Invalidated while it was being read: it answers now, but the next get() reads again.
    live_ = generation == generation_;
    loaded_ = loaded;
    failed_until_ = {};
  }
  if (on_new_) on_new_(snap);
}

uint64_t TableSource::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

Snapshot TableSource::known() {
  std::lock_guard lock(mutex_);
  if (!current_ && !disk_tried_) {
    // Airtable is down and nothing was read in this process: the snapshot on disk.
    disk_tried_ = true;
    if (auto disk = store_.load(client_.config().base_id, tables_.registry)) {
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

TableSource::Counters TableSource::counters() const {
  return Counters{reads_.load(), requests_.load(), errors_.load(), rate_limited_.load(), shared_taken_.load()};
}

Result<TableSnapshot> TableSource::read_with_retries(const std::stop_token& stop) {
  Error last;
  for (int attempt = 1; attempt <= std::max(1, settings_.read_attempts); ++attempt) {
    size_t requests = 0;
    reads_.fetch_add(1, std::memory_order_relaxed);
    auto read = read_table(client_, tables_.registry, tables_.history, std::chrono::system_clock::now(),
                           {settings_.look_back}, &requests);
    requests_.fetch_add(requests, std::memory_order_relaxed);
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
    auto jitter = core::backoff_delay(attempt, 1s, std::chrono::duration_cast<std::chrono::milliseconds>(cap),
                                      settings_.clock.uniform());
    settings_.clock.sleep_until(from + jitter, stop);
  }
  return std::unexpected(last);
}

}  // namespace airreg::registry

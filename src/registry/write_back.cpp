#include "registry/write_back.hpp"

#include "core/time_text.hpp"

namespace airreg::registry {

namespace {

BatchWriterOptions registry_writer_options(const FieldNames& names) {
  BatchWriterOptions o;
  o.table = names.schema().name;
  for (const auto& key : names.schema().merge_on) o.merge_on.push_back(names(key));
  return o;
}

}  // namespace

WriteBack::WriteBack(AirtableClient client, std::shared_ptr<Outbox> outbox, const FieldNames& names, Clock clock,
                     std::chrono::minutes verify_interval, std::chrono::seconds flush_timeout, LastVerified last_verified,
                     std::shared_ptr<spdlog::logger> logger)
    : names_(names),
      clock_(clock),
      verify_interval_(verify_interval),
      flush_timeout_(flush_timeout),
      last_verified_(std::move(last_verified)),
      writer_(std::move(client), std::move(outbox), registry_writer_options(names), clock, std::move(logger)),
      flusher_([this] { flush_loop(); }) {}

WriteBack::~WriteBack() {
  {
    std::lock_guard lock(flush_mutex_);
    stopping_ = true;
  }
  flush_wanted_.notify_all();
  flusher_.join();
  queue_verified();
  // What does not land in time stays in the outbox for the next start.
  writer_.flush({}, clock_.now() + flush_timeout_);
}

Result<size_t> WriteBack::submit(const std::vector<Fields>& rows, const std::vector<AirtableRecord>& current) {
  auto queued = writer_.submit(rows, current);
  if (queued) {
    queued_.fetch_add(*queued, std::memory_order_relaxed);
    wake();
  }
  return queued;
}

void WriteBack::report_verified(const std::string& provider, const std::string& model_id) {
  {
    std::lock_guard lock(verified_mutex_);
    verified_[{provider, model_id}] = std::chrono::system_clock::now();
  }
  wake();
}

void WriteBack::wake() {
  {
    std::lock_guard lock(flush_mutex_);
    flush_requested_ = true;
  }
  flush_wanted_.notify_one();
}

void WriteBack::queue_verified() {
  std::map<std::pair<std::string, std::string>, SystemTime> batch;
  {
    std::lock_guard lock(verified_mutex_);
    batch.swap(verified_);
  }
  std::vector<Fields> rows;
  for (const auto& [key, when] : batch) {
    const auto& [provider, model] = key;
    auto last = last_verified_(provider, model);
    if (last && when - *last < verify_interval_) continue;  // the cell is recent enough
    rows.push_back(Fields{{names_("provider_id"), provider}, {names_("model_id"), model},
                          {names_("last_verified"), core::format_utc(when)}});
  }
  if (!rows.empty())
    if (auto queued = writer_.submit(rows, {})) queued_.fetch_add(*queued, std::memory_order_relaxed);
}

void WriteBack::flush_loop() {
  std::unique_lock lock(flush_mutex_);
  for (;;) {
    flush_wanted_.wait(lock, [&] { return flush_requested_ || stopping_; });
    if (stopping_) return;
    flush_requested_ = false;
    lock.unlock();
    queue_verified();
    // Bounded, so that shutting down never waits long; what is left waits in the outbox.
    auto report = writer_.flush({}, clock_.now() + std::max<Clock::Duration>(flush_timeout_, std::chrono::seconds(60)));
    rate_limited_.fetch_add(report.rate_limited, std::memory_order_relaxed);
    lock.lock();
  }
}

}  // namespace airreg::registry

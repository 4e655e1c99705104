#include "registry/call_budget.hpp"

#include <algorithm>
#include <cmath>
#include <ctime>

#include "core/durable_file.hpp"
#include "core/sqlite_db.hpp"

namespace airreg::registry {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS calls (
  base TEXT NOT NULL,
  month TEXT NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (base, month)
);
)sql";

std::tm utc(SystemTime t) {
  std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm out{};
  gmtime_r(&seconds, &out);
  return out;
}

// The first instant of the month after t's.
SystemTime next_month(SystemTime t) {
  std::tm m = utc(t);
  m.tm_mday = 1;
  m.tm_hour = m.tm_min = m.tm_sec = 0;
  if (++m.tm_mon == 12) {
    m.tm_mon = 0;
    ++m.tm_year;
  }
  return std::chrono::system_clock::from_time_t(timegm(&m));
}

SystemTime month_start(SystemTime t) {
  std::tm m = utc(t);
  m.tm_mday = 1;
  m.tm_hour = m.tm_min = m.tm_sec = 0;
  return std::chrono::system_clock::from_time_t(timegm(&m));
}

}  // namespace

std::string month_of(SystemTime t) {
  std::tm m = utc(t);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d", m.tm_year + 1900, m.tm_mon + 1);
  return text;
}

double month_fraction(SystemTime t) {
  auto start = month_start(t);
  auto length = std::chrono::duration<double>(next_month(t) - start).count();
  return std::clamp(std::chrono::duration<double>(t - start).count() / length, 0.0, 1.0);
}

struct CallBudget::Store {
  core::Database db;
};

CallBudget::CallBudget(Settings settings, std::shared_ptr<fleet::Fleet> fleet, std::filesystem::path state_dir,
                       std::string base_id)
    : settings_(settings), fleet_(std::move(fleet)), state_dir_(std::move(state_dir)), base_id_(std::move(base_id)) {}

CallBudget::~CallBudget() = default;

void CallBudget::count(size_t total_requests_so_far) {
  long long delta = 0;
  {
    std::lock_guard lock(mutex_);
    if (total_requests_so_far <= counted_) return;
    delta = static_cast<long long>(total_requests_so_far - counted_);
    counted_ = total_requests_so_far;
  }
  add(delta);
}

void CallBudget::add(long long delta) {
  std::string month = month_of(std::chrono::system_clock::now());
  // A fleet counts in Redis (every instance's calls on the base); kept 40 days.
  if (fleet_->shared()) {
    if (auto total = fleet_->add_count("calls:" + month, delta, std::chrono::hours(24 * 40))) {
      std::lock_guard lock(mutex_);
      cached_month_ = month;
      cached_calls_ = *total;
      return;
    }
  }
  std::lock_guard lock(mutex_);
  if (!store_) {
    if (!core::make_state_dir(state_dir_)) return;
    auto db = core::Database::open(state_dir_ / "state.db", kSchema);
    if (!db) return;
    store_ = std::make_unique<Store>(Store{std::move(*db)});
  }
  auto upsert = store_->db.prepare(
      "INSERT INTO calls (base, month, count) VALUES (?1, ?2, ?3) "
      "ON CONFLICT(base, month) DO UPDATE SET count = count + ?3 RETURNING count");
  if (!upsert) return;
  upsert->bind(1, base_id_).bind(2, month).bind(3, static_cast<int64_t>(delta));
  if (auto row = upsert->step(); row && *row) {
    cached_month_ = month;
    cached_calls_ = upsert->integer(0);
  }
}

long long CallBudget::this_month() {
  std::string month = month_of(std::chrono::system_clock::now());
  {
    std::lock_guard lock(mutex_);
    if (cached_month_ == month) return cached_calls_;
  }
  add(0);  // reads the month's total as it stands (a new month starts at 0)
  std::lock_guard lock(mutex_);
  return cached_month_ == month ? cached_calls_ : 0;
}

void CallBudget::quota_exhausted(std::string message) {
  std::lock_guard lock(mutex_);
  quota_spent_until_ = std::chrono::system_clock::now() + std::chrono::hours(1);
  quota_message_ = std::move(message);
}

std::optional<std::string> CallBudget::quota_spent() {
  std::lock_guard lock(mutex_);
  if (std::chrono::system_clock::now() < quota_spent_until_) return quota_message_;
  return std::nullopt;
}

BudgetStatus CallBudget::status() {
  auto now = std::chrono::system_clock::now();
  BudgetStatus s;
  s.month = month_of(now);
  s.calls = this_month();
  s.budget = settings_.monthly_budget;
  double elapsed = std::max(month_fraction(now), 1e-3);
  s.projected = static_cast<long long>(std::llround(static_cast<double>(s.calls) / elapsed));
  s.period = settings_.base_period;
  if (quota_spent()) s.reads_allowed = false;
  if (!settings_.monthly_budget) return s;
  // The reads' share left, spread over what is left of the month.
  double reads_budget = static_cast<double>(*settings_.monthly_budget) * (1.0 - settings_.reserve);
  double left = reads_budget - static_cast<double>(s.calls);
  if (left < settings_.calls_per_revalidation) {
    s.reads_allowed = false;
    s.period = std::chrono::seconds(std::chrono::duration_cast<std::chrono::seconds>(next_month(now) - now));
    return s;
  }
  double revalidations = left / settings_.calls_per_revalidation;
  double seconds_left = std::chrono::duration<double>(next_month(now) - now).count();
  auto stretched = std::chrono::seconds(static_cast<long long>(std::ceil(seconds_left / revalidations)));
  s.period = std::max(settings_.base_period, stretched);
  return s;
}

std::vector<MonthCalls> recorded_calls(const std::filesystem::path& state_dir, const std::string& month) {
  std::vector<MonthCalls> out;
  if (!std::filesystem::exists(state_dir / "state.db")) return out;
  auto db = core::Database::open(state_dir / "state.db", kSchema);
  if (!db) return out;
  auto query = db->prepare("SELECT base, count FROM calls WHERE month = ?1 ORDER BY base");
  if (!query) return out;
  query->bind(1, month);
  auto now = std::chrono::system_clock::now();
  double elapsed = month == month_of(now) ? std::max(month_fraction(now), 1e-3) : 1.0;
  for (auto row = query->step(); row && *row; row = query->step()) {
    long long calls = query->integer(1);
    out.push_back(MonthCalls{query->text(0), calls, static_cast<long long>(std::llround(static_cast<double>(calls) / elapsed))});
  }
  return out;
}

}  // namespace airreg::registry

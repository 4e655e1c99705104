// Airtable's monthly call quota as a budget (DESIGN.md; docs/quota.md). Every call the
// registry makes is counted per calendar month (UTC): in Redis for a fleet (the whole fleet's
// calls), in the state directory otherwise (this instance's). With a budget set, the period
// between two revalidations of the table stretches so that the month's projection of reads
// stays inside the budget less a reserve for syncs and writes; once the reads' share is spent,
// the registry serves what it has, marked with its age. Thread-safe.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "airreg/clock.hpp"
#include "airreg/registry_row.hpp"
#include "fleet/fleet.hpp"

namespace airreg::registry {

struct BudgetStatus {
  std::string month;                   // "2026-12"
  long long calls = 0;                 // this month so far (the fleet's with Redis)
  std::optional<long long> budget;     // the monthly budget; nothing: unlimited
  long long projected = 0;             // calls by the month's end at the pace so far
  std::chrono::seconds period{0};      // between two revalidations now
  bool reads_allowed = true;           // false: the reads' share is spent
};

class CallBudget {
 public:
  struct Settings {
    std::optional<long long> monthly_budget;  // calls a month for this base (the fleet's); nothing: unlimited
    double reserve = 0.25;                    // kept for syncs and writes
    double calls_per_revalidation = 1.5;      // a probe, and now and then a page of changed rows
    std::chrono::seconds base_period{3600};   // the cache TTL: never shorter than this
  };
  CallBudget(Settings settings, std::shared_ptr<fleet::Fleet> fleet, std::filesystem::path state_dir, std::string base_id);
  ~CallBudget();

  // Calls made since the last count (the client's request counter, read now).
  void count(size_t total_requests_so_far);
  BudgetStatus status();
  std::chrono::seconds period() { return status().period; }
  bool reads_allowed() { return status().reads_allowed; }
  // Airtable said the workspace's quota is spent: no read is tried for an hour, whatever
  // else happens meanwhile (an invalidation, a notice); its message, while that holds.
  void quota_exhausted(std::string message);
  std::optional<std::string> quota_spent();

 private:
  void add(long long delta);
  long long this_month();

  Settings settings_;
  std::shared_ptr<fleet::Fleet> fleet_;
  std::filesystem::path state_dir_;
  std::string base_id_;
  std::mutex mutex_;
  size_t counted_ = 0;          // the client's counter when last counted
  long long cached_calls_ = 0;  // the month's total as last known
  std::string cached_month_;
  SystemTime quota_spent_until_{};
  std::string quota_message_;
  struct Store;
  std::unique_ptr<Store> store_;
};

// The calls counted in a state directory for `month`, per base (airreg status); empty when
// none were.
struct MonthCalls {
  std::string base;
  long long calls = 0;
  long long projected = 0;  // by the month's end at this pace (for the current month)
};
std::vector<MonthCalls> recorded_calls(const std::filesystem::path& state_dir, const std::string& month);

// "YYYY-MM" of a UTC time, and how far into its month it is (0 to 1).
std::string month_of(SystemTime t);
double month_fraction(SystemTime t);

}  // namespace airreg::registry

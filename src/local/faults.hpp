// Fault injection for tests: added latency, 5xx answers, dropped connections and truncated
// bodies, each drawn from one seeded generator so a run is repeatable. Thread-safe.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>

namespace airtable_local {

struct FaultOptions {
  int latency_ms = 0;         // added to every answer (milliseconds)
  double fail_rate = 0;       // share of requests answered 500/502/503 before being handled
  double drop_rate = 0;       // share of requests handled and then closed without an answer
  double truncate_rate = 0;   // share of answers whose body is cut short
  std::optional<uint64_t> seed;
};

class Faults {
 public:
  enum class Kind { None, Fail, Drop, Truncate };
  explicit Faults(FaultOptions options);
  const FaultOptions& options() const { return options_; }
  // Decides the fate of one request.
  Kind roll();
  // 500, 502 or 503.
  int fail_status();

 private:
  FaultOptions options_;
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace airtable_local

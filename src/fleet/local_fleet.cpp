#include "fleet/fleet.hpp"

#include <thread>

namespace airreg::fleet {

namespace {

class LocalLease final : public Lease {
 public:
  uint64_t token() const override { return 0; }
  bool held() const override { return true; }
};

// One instance: the registry's own locks already give one refresh at a time.
class LocalFleet final : public Fleet {
 public:
  explicit LocalFleet(std::string instance) : instance_(std::move(instance)) {}
  const std::string& instance() const override { return instance_; }
  bool shared() const override { return false; }
  std::optional<uint64_t> begin_read() override { return std::nullopt; }
  bool put_snapshot(uint64_t, const SnapshotText&, std::chrono::milliseconds) override { return false; }
  std::optional<SharedSnapshot> snapshot(uint64_t) override { return std::nullopt; }
  std::optional<SharedSnapshot> wait_snapshot(uint64_t, std::chrono::steady_clock::time_point, std::stop_token) override {
    return std::nullopt;
  }
  void invalidate_snapshot() override {}
  std::optional<long long> add_count(const std::string&, long long, std::chrono::seconds) override { return std::nullopt; }
  std::optional<std::string> value(const std::string&) override { return std::nullopt; }
  void put_value(const std::string&, const std::string&, std::chrono::milliseconds) override {}
  std::unique_ptr<Lease> try_lease(const std::string&, std::chrono::milliseconds) override {
    return std::make_unique<LocalLease>();
  }
  bool try_claim(const std::string&, std::chrono::milliseconds) override { return true; }
  void publish(const Notice&) override {}
  void announce_change(const std::vector<std::string>&) override {}
  void listen(std::function<void(const Notice&)>) override {}
  std::shared_ptr<SharedRequestBudget> request_budget() override { return nullptr; }
  FleetStatus status() override { return FleetStatus{}; }

 private:
  std::string instance_;
};

}  // namespace

std::unique_ptr<Lease> wait_for_lease(Fleet& fleet, const std::string& name, std::chrono::milliseconds ttl,
                                      std::chrono::milliseconds wait, const std::stop_token& stop) {
  auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    if (auto lease = fleet.try_lease(name, ttl)) return lease;
    if (stop.stop_requested() || std::chrono::steady_clock::now() >= until) return nullptr;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

FleetConfig fleet_config(std::string redis_url, std::string base_id, std::string instance, double max_requests_per_second,
                         std::shared_ptr<spdlog::logger> logger) {
  FleetConfig c;
  c.redis_url = std::move(redis_url);
  c.base_id = std::move(base_id);
  c.instance = std::move(instance);
  c.max_requests_per_second = max_requests_per_second;
  c.logger = std::move(logger);
  return c;
}

std::shared_ptr<Fleet> local_fleet(std::string instance) { return std::make_shared<LocalFleet>(std::move(instance)); }

}  // namespace airreg::fleet

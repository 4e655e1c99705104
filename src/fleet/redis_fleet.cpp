// The Redis fleet: see fleet.hpp for what it promises, redis_scripts.hpp for the atomic steps.
#include <hiredis/hiredis.h>
#include <poll.h>

#include <condition_variable>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "fleet/fleet.hpp"
#include "fleet/notice_codec.hpp"
#include "fleet/redis_budget.hpp"
#include "fleet/redis_core.hpp"
#include "fleet/redis_scripts.hpp"
#include "fleet/redis_snapshot.hpp"

namespace airreg::fleet {

namespace {

using namespace std::chrono_literals;
using SteadyClock = std::chrono::steady_clock;

// Often enough that an instance knows the fleet's size soon after a deploy: when Redis dies,
// its own share of the base's budget is the budget divided by that size.
constexpr auto kHeartbeatEvery = 2s;
constexpr auto kInstanceWindow = 30s;  // an instance not heard from for this long is gone
constexpr auto kPingEvery = 5s;        // the subscribed connection is checked this often
constexpr auto kPongWithin = 3s;       // and taken for dead without an answer by then

// The instance's name and eight random hex digits.
std::string unique_name(const std::string& name) {
  std::random_device random;
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "%08x", random());
  return name + "~" + suffix;
}

class LocalLease final : public Lease {
 public:
  uint64_t token() const override { return 0; }
  bool held() const override { return true; }
};

// A lease in Redis, renewed at a third of its TTL until it is destroyed.
class RedisLease final : public Lease {
 public:
  RedisLease(std::shared_ptr<RedisCore> core, std::string key, std::string value, uint64_t token,
             std::chrono::milliseconds ttl)
      : core_(std::move(core)), key_(std::move(key)), value_(std::move(value)), token_(token), ttl_(ttl) {
    renewer_ = std::thread([this] { renew_loop(); });
  }
  ~RedisLease() override {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    renewer_.join();
    (void)core_->eval(scripts::kReleaseLease, {key_}, {value_});
  }
  uint64_t token() const override { return token_; }
  bool held() const override { return held_.load(); }

 private:
  void renew_loop() {
    std::unique_lock lock(mutex_);
    while (!wake_.wait_for(lock, ttl_ / 3, [&] { return stopping_; })) {
      lock.unlock();
      auto r = core_->eval(scripts::kRenewLease, {key_}, {value_, std::to_string(ttl_.count())});
      // Taken over: this instance stalled past the TTL. Unknown (Redis away): keep going.
      if (r && r->type == RedisReply::Type::integer && r->integer == 0) held_ = false;
      lock.lock();
    }
  }

  std::shared_ptr<RedisCore> core_;
  std::string key_, value_;
  uint64_t token_;
  std::chrono::milliseconds ttl_;
  std::atomic<bool> held_{true};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread renewer_;
};

class RedisFleet final : public Fleet {
 public:
  RedisFleet(RedisUrl url, FleetConfig config)
      : config_(std::move(config)),
        instance_(unique_name(config_.instance)),
        timeouts_{config_.timeout, config_.timeout, 1000ms},
        core_(std::make_shared<RedisCore>(url, timeouts_, config_.base_id, instance_, config_.logger)),
        budget_(std::make_shared<RedisBudget>(core_, config_.max_requests_per_second, config_.request_hold)),
        url_(std::move(url)) {
    heartbeat();
    listener_ = std::thread([this] { listen_loop(); });
  }

  ~RedisFleet() override {
    stop_.request_stop();
    snapshot_arrived_.notify_all();
    listener_.join();
  }

  const std::string& instance() const override { return instance_; }
  bool shared() const override { return true; }

  std::optional<uint64_t> begin_read() override {
    auto r = core_->command({"INCR", core_->key("snapshot:seq")});
    if (!r || r->type != RedisReply::Type::integer) return std::nullopt;
    return static_cast<uint64_t>(r->integer);
  }

  bool put_snapshot(uint64_t seq, const SnapshotText& text, std::chrono::milliseconds ttl) override {
    bool stored = put_snapshot_in_pieces(*core_, seq, text, ttl);
    if (stored) publish(Notice{Notice::Kind::snapshot, instance_, {}, seq});
    return stored;
  }

  std::optional<SharedSnapshot> snapshot(uint64_t newer_than) override { return take_snapshot_in_pieces(*core_, newer_than); }

  std::optional<SharedSnapshot> wait_snapshot(uint64_t newer_than, SteadyClock::time_point until,
                                              std::stop_token stop) override {
    for (;;) {
      uint64_t announced = announced_.load();
      if (auto s = snapshot(newer_than)) return s;
      if (!core_->ok() || stop.stop_requested() || SteadyClock::now() >= until) return std::nullopt;
      // Woken by the snapshot notice; polled too, in case the notice was missed.
      std::unique_lock lock(wait_mutex_);
      snapshot_arrived_.wait_until(lock, std::min(until, SteadyClock::now() + 100ms),
                                   [&] { return announced_.load() != announced || stop_.stop_requested(); });
    }
  }

  void invalidate_snapshot() override { (void)drop_snapshot(*core_); }

  std::optional<long long> add_count(const std::string& name, long long delta, std::chrono::seconds ttl) override {
    auto r = core_->eval(scripts::kAddCount, {core_->key("count:" + name)}, {std::to_string(delta), std::to_string(ttl.count())});
    if (!r || r->type != RedisReply::Type::integer) return std::nullopt;
    return r->integer;
  }

  std::optional<std::string> value(const std::string& name) override {
    auto r = core_->command({"GET", core_->key("value:" + name)});
    if (!r || r->type != RedisReply::Type::string) return std::nullopt;
    return std::move(r->str);
  }

  void put_value(const std::string& name, const std::string& body, std::chrono::milliseconds ttl) override {
    (void)core_->command({"SET", core_->key("value:" + name), body, "PX", std::to_string(std::max<long long>(1, ttl.count()))});
  }

  std::unique_ptr<Lease> try_lease(const std::string& name, std::chrono::milliseconds ttl) override {
    ttl = std::max(ttl, std::chrono::milliseconds(1000));  // renewed at a third: never a spin
    std::string key = core_->key("lease:" + name);
    auto r = core_->eval(scripts::kTakeLease, {key, core_->key("fence")},
                         {instance_, std::to_string(ttl.count())});
    if (!r || r->type != RedisReply::Type::integer) return std::make_unique<LocalLease>();  // Redis away: on our own
    if (r->integer == 0) return nullptr;
    auto token = static_cast<uint64_t>(r->integer);
    return std::make_unique<RedisLease>(core_, key, instance_ + "#" + std::to_string(token), token, ttl);
  }

  bool try_claim(const std::string& name, std::chrono::milliseconds period) override {
    auto r = core_->command({"SET", core_->key("claim:" + name), instance_, "NX", "PX",
                             std::to_string(std::max<long long>(1, period.count()))});
    if (!r) return true;  // Redis away: the instance's own limit applies
    return r->type == RedisReply::Type::status;  // OK, or nil when another instance claimed it
  }

  void publish(const Notice& notice) override {
    (void)core_->command({"PUBLISH", core_->key("changes"), encode_notice(notice)});
  }

  void announce_change(const std::vector<std::string>& providers) override {
    {
      std::lock_guard lock(announce_mutex_);
      // Providers named now join those not yet announced; "any" absorbs every name.
      if (providers.empty() || (announce_pending_ && announce_all_)) {
        announce_all_ = true;
        announce_providers_.clear();
      } else if (!announce_all_ || !announce_pending_) {
        announce_providers_.insert(providers.begin(), providers.end());
        announce_all_ = false;
      }
      announce_pending_ = true;
    }
    flush_announcement();
  }

  // Holds the listener's mutex while it runs: once listen(nullptr) returned, the listener that
  // was there is no longer running and will not be called again (its owner may be going away).
  void listen(std::function<void(const Notice&)> listener) override {
    std::lock_guard lock(listener_mutex_);
    on_notice_ = std::move(listener);
  }

  std::shared_ptr<SharedRequestBudget> request_budget() override { return budget_; }

  FleetStatus status() override {
    FleetStatus s;
    s.configured = true;
    s.redis_ok = core_->ok();
    s.redis = url_.display;
    s.last_error = s.redis_ok ? "" : core_->last_error();
    s.instances = core_->instances();
    return s;
  }

 private:
  void heartbeat() {
    auto r = core_->eval(scripts::kHeartbeat, {core_->key("instances")},
                         {instance_, std::to_string(std::chrono::milliseconds(kInstanceWindow).count())});
    if (r && r->type == RedisReply::Type::integer) core_->set_instances(static_cast<size_t>(r->integer));
  }

  void deliver(const Notice& n) {
    if (n.kind == Notice::Kind::snapshot) {
      announced_.fetch_add(1);
      snapshot_arrived_.notify_all();
    }
    if (n.origin == instance_) return;
    std::lock_guard lock(listener_mutex_);
    if (on_notice_) on_notice_(n);
  }

  // Drops the shared snapshot and publishes the pending change; kept pending when Redis does
  // not answer, and done again by the listener's loop once it does.
  void flush_announcement() {
    std::vector<std::string> providers;
    {
      std::lock_guard lock(announce_mutex_);
      if (!announce_pending_) return;
      if (!announce_all_) providers.assign(announce_providers_.begin(), announce_providers_.end());
    }
    if (!drop_snapshot(*core_)) return;
    auto sent = core_->command(
        {"PUBLISH", core_->key("changes"), encode_notice(Notice{Notice::Kind::changed, instance_, providers, 0})});
    if (!sent) return;
    std::lock_guard lock(announce_mutex_);
    announce_pending_ = false;
    announce_all_ = false;
    announce_providers_.clear();
  }

  // Waits up to `d` unless stopping.
  void pause(std::chrono::milliseconds d) {
    std::unique_lock lock(wait_mutex_);
    snapshot_arrived_.wait_for(lock, d, [&] { return stop_.stop_requested(); });
  }

  // Its own connection, subscribed to the base's channel, read with poll() so that it can stop
  // and beat the heart between messages. It PINGs the connection every few seconds, since a
  // NAT or a load balancer may drop an idle one without telling either side. After Redis went
  // away it reconnects (waiting a second between tries) and tells the listener that notices
  // may have been missed.
  void listen_loop() {
    bool missed = false;
    auto next_beat = SteadyClock::now();
    while (!stop_.stop_requested()) {
      if (missed) pause(1000ms);
      missed = true;
      auto connected = redis_connect(url_, timeouts_);
      if (!connected) {
        core_->note(std::unexpected(connected.error()));
        continue;
      }
      redisContext* c = connected->get();
      if (!send(c, {"SUBSCRIBE", core_->key("changes")})) continue;
      bool subscribed = false;
      auto pinged = SteadyClock::time_point{};
      bool awaiting_pong = false;
      while (!stop_.stop_requested()) {
        auto now = SteadyClock::now();
        if (now >= next_beat) {
          heartbeat();
          flush_announcement();
          next_beat = now + kHeartbeatEvery;
        }
        if (subscribed && !awaiting_pong && now - pinged >= kPingEvery) {
          if (!send(c, {"PING"})) break;
          pinged = now;
          awaiting_pong = true;
        }
        if (awaiting_pong && now - pinged > kPongWithin) break;  // a silently dead connection
        void* raw = nullptr;
        if (redisGetReplyFromReader(c, &raw) != REDIS_OK) break;
        if (raw) {
          RedisReply reply = take_reply(raw);
          if (reply.type == RedisReply::Type::error) break;  // e.g. an ACL that refuses SUBSCRIBE
          if (reply.type != RedisReply::Type::array || reply.elements.empty()) continue;
          const std::string& kind = reply.elements[0].str;
          if (kind == "subscribe" && !subscribed) {
            subscribed = true;
            core_->retry_now();  // Redis is back: the fleet shares its limit and reads again at once
            if (missed_before_) deliver(Notice{Notice::Kind::changed, "", {}, 0});
            missed_before_ = false;
          } else if (kind == "pong") {
            awaiting_pong = false;
          } else if (kind == "message" && reply.elements.size() == 3) {
            if (auto n = decode_notice(reply.elements[2].str)) deliver(*n);
          }
          continue;
        }
        pollfd p{c->fd, POLLIN, 0};
        int ready = poll(&p, 1, 200);
        if (ready < 0 && errno == EINTR) continue;
        if (ready < 0 || (ready > 0 && redisBufferRead(c) != REDIS_OK)) break;
      }
      missed_before_ = true;
    }
  }

  static bool send(redisContext* c, const std::vector<std::string>& argv) {
    std::vector<const char*> args;
    std::vector<size_t> lens;
    for (const auto& a : argv) {
      args.push_back(a.c_str());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(c, static_cast<int>(args.size()), args.data(), lens.data()) != REDIS_OK) return false;
    int done = 0;
    while (!done)
      if (redisBufferWrite(c, &done) != REDIS_OK) return false;
    return true;
  }

  FleetConfig config_;
  // Unique to this process: two instances named alike (containers share host:pid) must still
  // tell their notices, tickets and leases apart.
  std::string instance_;
  RedisTimeouts timeouts_;
  std::shared_ptr<RedisCore> core_;
  std::shared_ptr<RedisBudget> budget_;
  RedisUrl url_;
  std::mutex listener_mutex_;
  std::function<void(const Notice&)> on_notice_;
  std::mutex wait_mutex_;
  std::condition_variable_any snapshot_arrived_;
  std::atomic<uint64_t> announced_{0};
  bool missed_before_ = false;  // the listener's: a connection was lost (its thread only)
  std::mutex announce_mutex_;
  bool announce_pending_ = false, announce_all_ = false;
  std::set<std::string> announce_providers_;
  std::stop_source stop_;
  std::thread listener_;  // last: it uses everything above
};

}  // namespace

Result<std::shared_ptr<Fleet>> connect_fleet(FleetConfig config) {
  if (config.redis_url.empty()) return local_fleet(config.instance);
  auto url = parse_redis_url(config.redis_url);
  if (!url) return std::unexpected(url.error());
  return std::shared_ptr<Fleet>(std::make_shared<RedisFleet>(std::move(*url), std::move(config)));
}

}  // namespace airreg::fleet

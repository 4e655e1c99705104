#include "registry/registry_settings.hpp"

#include <charconv>
#include <cmath>
#include <cstdlib>

#include "core/duration_text.hpp"

namespace airreg::registry {

namespace {

using namespace std::chrono;

template <class D>
const char* whole_units() {
  if constexpr (std::is_same_v<D, hours>) return "a whole number of hours";
  if constexpr (std::is_same_v<D, minutes>) return "a whole number of minutes";
  if constexpr (std::is_same_v<D, seconds>) return "a whole number of seconds";
  return "a whole number of milliseconds";
}

// A duration setting in unit D: a bare number is in D, or "500ms", "6h", ...
template <class D>
RegistrySetting duration(std::string flag, std::string variable, std::string help, D RegistryOptions::*member) {
  return RegistrySetting{std::move(flag), std::move(variable), std::move(help),
                         [member](RegistryOptions& o, std::string_view text) -> std::optional<std::string> {
                           auto ms = core::parse_duration(text, duration_cast<milliseconds>(D(1)));
                           if (!ms) return "a duration such as 30s, 15m, 6h or a bare number";
                           if (duration_cast<milliseconds>(duration_cast<D>(*ms)) != *ms) return whole_units<D>();
                           o.*member = duration_cast<D>(*ms);
                           return std::nullopt;
                         }};
}

std::optional<std::string> parse_fraction(double& out, std::string_view text) {
  double v = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc{} || end != text.data() + text.size() || !std::isfinite(v) || v < 0 || v >= 1)
    return "a fraction from 0 to less than 1";
  out = v;
  return std::nullopt;
}

std::vector<RegistrySetting> make_settings() {
  std::vector<RegistrySetting> s;
  s.push_back(duration("cache-ttl", "AIRREG_CACHE_TTL", "a cached answer is used this long (seconds; default 3600)",
                       &RegistryOptions::cache_ttl));
  s.push_back(duration("fresh-for", "AIRREG_FRESH_FOR",
                       "a provider's listing read this recently is trusted (hours; default 24)", &RegistryOptions::fresh_for));
  s.push_back(RegistrySetting{"freshness-jitter", "AIRREG_FRESHNESS_JITTER",
                              "each instance trusts listings up to this share less, to spread refreshes (default 0.05)",
                              [](RegistryOptions& o, std::string_view t) { return parse_fraction(o.freshness_jitter, t); }});
  s.push_back(duration("negative-ttl", "AIRREG_NEGATIVE_TTL",
                       "a failure, and a degraded answer, is kept this long (seconds; default 60)", &RegistryOptions::negative_ttl));
  s.push_back(duration("stale-warn-after", "AIRREG_STALE_WARN_AFTER",
                       "stale rows older than this carry a warning (hours; default 168)", &RegistryOptions::stale_warn_after));
  s.push_back(duration("discovery-interval", "AIRREG_DISCOVERY_INTERVAL",
                       "a provider is asked at most this often (seconds; default 300)", &RegistryOptions::discovery_interval));
  s.push_back(duration("verify-interval", "AIRREG_VERIFY_INTERVAL",
                       "Last Verified is written at most this often per model (minutes; default 60)",
                       &RegistryOptions::verify_interval));
  s.push_back(duration("grace", "AIRREG_GRACE", "a model missing this long becomes deprecated (hours; default 168)",
                       &RegistryOptions::grace));
  s.push_back(duration("wait-for", "AIRREG_WAIT_FOR", "a miss waits this long, then gets a fallback (ms; default 2000)",
                       &RegistryOptions::wait_for));
  s.push_back(duration("startup-jitter", "AIRREG_STARTUP_JITTER",
                       "the first read waits up to this, unless a caller waits (ms; default 1000)",
                       &RegistryOptions::startup_jitter));
  s.push_back(RegistrySetting{"read-attempts", "AIRREG_READ_ATTEMPTS",
                              "tries of a table read on 5xx, timeouts, resets and 429s (default 4)",
                              [](RegistryOptions& o, std::string_view t) -> std::optional<std::string> {
                                int v = 0;
                                auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
                                if (ec != std::errc{} || end != t.data() + t.size() || v < 1 || v > 20)
                                  return "a whole number from 1 to 20";
                                o.read_attempts = v;
                                return std::nullopt;
                              }});
  s.push_back(RegistrySetting{"new-status", "AIRREG_NEW_STATUS", "what new models enter as: pending or active (default pending)",
                              [](RegistryOptions& o, std::string_view t) -> std::optional<std::string> {
                                if (t == "pending") o.new_status = ModelStatus::pending;
                                else if (t == "active") o.new_status = ModelStatus::active;
                                else return "pending or active";
                                return std::nullopt;
                              }});
  s.push_back(duration("flush-timeout", "AIRREG_FLUSH_TIMEOUT",
                       "at exit, the write-back flushes this long at most; the rest stays queued (seconds; default 10)",
                       &RegistryOptions::flush_timeout));
  s.push_back(RegistrySetting{"instance", "AIRREG_INSTANCE", "this instance's name in the history and the fleet (default host:pid)",
                              [](RegistryOptions& o, std::string_view t) -> std::optional<std::string> {
                                if (t.empty() || t.size() > 100) return "a name of 1 to 100 characters";
                                o.instance = std::string(t);
                                return std::nullopt;
                              }});
  s.push_back(RegistrySetting{"monthly-budget", "AIRREG_MONTHLY_CALL_BUDGET",
                              "Airtable calls a month this base may spend, the fleet's with Redis (default: unlimited)",
                              [](RegistryOptions& o, std::string_view t) -> std::optional<std::string> {
                                long long v = 0;
                                auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
                                if (ec != std::errc{} || end != t.data() + t.size() || v < 1) return "a whole number of calls, 1 or more";
                                o.monthly_budget = v;
                                return std::nullopt;
                              }});
  s.push_back(duration("full-read-every", "AIRREG_FULL_READ_EVERY",
                       "every row is read at least this often, to see deleted rows (hours; default 24)",
                       &RegistryOptions::full_read_every));
  s.push_back(duration("clock-skew", "AIRREG_CLOCK_SKEW",
                       "a revalidation asks for rows changed since its last read less this (seconds; default 60)",
                       &RegistryOptions::clock_skew));
  s.push_back(RegistrySetting{"redis-url", "AIRREG_REDIS_URL",
                              "the fleet's Redis: redis://[:password@]host:port/db or a unix socket path (default: none)",
                              [](RegistryOptions& o, std::string_view t) -> std::optional<std::string> {
                                o.redis_url = std::string(t);
                                return std::nullopt;
                              }});
  return s;
}

}  // namespace

const std::vector<RegistrySetting>& registry_settings() {
  static const std::vector<RegistrySetting> settings = make_settings();
  return settings;
}

Result<void> apply_setting(RegistryOptions& options, const RegistrySetting& setting, std::string_view value,
                           std::string_view source) {
  if (auto why = setting.apply(options, value))
    return std::unexpected(make_error(ErrorCode::config, std::string(source) + " must be " + *why + ", not \"" +
                                                             std::string(value.substr(0, 64)) + "\""));
  return {};
}

}  // namespace airreg::registry

namespace airreg {

Result<RegistryOptions> RegistryOptions::from_environment() {
  RegistryOptions options;
  for (const auto& setting : registry::registry_settings()) {
    const char* value = std::getenv(setting.variable.c_str());
    if (!value || !*value) continue;
    if (auto applied = registry::apply_setting(options, setting, value, setting.variable); !applied)
      return std::unexpected(applied.error());
  }
  return options;
}

}  // namespace airreg

#include "serve/metrics.hpp"

#include <cinttypes>
#include <cstdio>

namespace airreg::serve {

namespace {

void help(std::string& out, const char* name, const char* type, const char* text) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += text;
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

void sample(std::string& out, std::string_view name, const std::string& labels, double value) {
  char number[64];
  if (value == static_cast<double>(static_cast<int64_t>(value)) && value < 9e15 && value > -9e15) {
    std::snprintf(number, sizeof number, "%" PRId64, static_cast<int64_t>(value));
  } else {
    std::snprintf(number, sizeof number, "%.6f", value);
  }
  out += name;
  if (!labels.empty()) {
    out += '{';
    out += labels;
    out += '}';
  }
  out += ' ';
  out += number;
  out += '\n';
}

std::string label(std::string_view name, std::string_view value) {
  return std::string(name) + "=\"" + escape_label(value) + "\"";
}

double seconds_since_epoch(SystemTime t) {
  return static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count()) / 1000.0;
}

}  // namespace

std::string_view route_label(Route r) {
  switch (r) {
    case Route::page: return "/";
    case Route::healthz: return "/healthz";
    case Route::readyz: return "/readyz";
    case Route::metrics: return "/metrics";
    case Route::models: return "/v1/registry/models";
    case Route::resolve: return "/v1/registry/resolve";
    case Route::verified: return "/v1/registry/verified";
    case Route::refresh: return "/v1/registry/refresh";
    case Route::openai_models: return "/v1/models";
    case Route::openai_model: return "/v1/models/{id}";
    case Route::webhook: return "/airtable/webhook";
    case Route::other: return "other";
  }
  return "other";
}

std::string escape_label(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

size_t Metrics::code_index(int status) {
  for (size_t i = 0; i + 1 < kCodes.size(); ++i)
    if (kCodes[i] == status) return i;
  return kCodes.size() - 1;
}

void Metrics::observe(Route route, int status, std::chrono::nanoseconds took) {
  auto r = static_cast<size_t>(route);
  requests_[r][code_index(status)].fetch_add(1, std::memory_order_relaxed);
  double seconds = static_cast<double>(took.count()) / 1e9;
  size_t b = 0;
  while (b < kBuckets.size() && seconds > kBuckets[b]) ++b;
  buckets_[r][b].fetch_add(1, std::memory_order_relaxed);
  duration_ns_[r].fetch_add(static_cast<uint64_t>(took.count()), std::memory_order_relaxed);
}

std::string Metrics::render(const ModelRegistry& registry) const {
  std::string out;
  RegistryStats s = registry.stats();
  auto now = std::chrono::system_clock::now();

  help(out, "airreg_cache_hits_total", "counter", "Answers served from the in-process cache.");
  sample(out, "airreg_cache_hits_total", "", static_cast<double>(s.hits + s.stale_served));
  help(out, "airreg_cache_misses_total", "counter", "Calls that found nothing cached.");
  sample(out, "airreg_cache_misses_total", "", static_cast<double>(s.misses));
  help(out, "airreg_upstream_requests_total", "counter", "Requests to Airtable and to the providers, by outcome.");
  for (const auto& u : s.upstream)
    sample(out, "airreg_upstream_requests_total",
           label("target", u.target) + "," + label("provider", u.provider) + "," + label("outcome", u.outcome),
           static_cast<double>(u.count));
  help(out, "airreg_airtable_rate_limited_total", "counter", "429 answers from Airtable.");
  sample(out, "airreg_airtable_rate_limited_total", "", static_cast<double>(s.rate_limited));
  // Named _total but a gauge: it starts again at 0 each calendar month (UTC).
  help(out, "airreg_airtable_calls_month_total", "gauge",
       "Airtable calls this calendar month (UTC): the fleet's with Redis, this instance's otherwise.");
  sample(out, "airreg_airtable_calls_month_total", "", static_cast<double>(s.calls_month));
  help(out, "airreg_airtable_calls_month_projected", "gauge", "Airtable calls by the month's end at this month's pace.");
  sample(out, "airreg_airtable_calls_month_projected", "", static_cast<double>(s.calls_projected));
  if (s.call_budget) {
    help(out, "airreg_airtable_call_budget", "gauge", "The monthly Airtable call budget (AIRREG_MONTHLY_CALL_BUDGET).");
    sample(out, "airreg_airtable_call_budget", "", static_cast<double>(*s.call_budget));
  }
  help(out, "airreg_airtable_revalidation_period_seconds", "gauge", "The table is revalidated this often now.");
  sample(out, "airreg_airtable_revalidation_period_seconds", "", static_cast<double>(s.revalidation_period.count()));
  help(out, "airreg_outbox_rows", "gauge", "Rows waiting in the outbox for Airtable.");
  sample(out, "airreg_outbox_rows", "", static_cast<double>(s.outbox));
  help(out, "airreg_registry_age_seconds", "gauge", "Age of the cached answer of each provider and category.");
  for (const auto& a : registry.cached())
    sample(out, "airreg_registry_age_seconds",
           label("provider", a.provider) + "," + label("category", to_string(a.category)),
           std::max(0.0, static_cast<double>(std::chrono::duration_cast<std::chrono::seconds>(now - a.as_of).count())));
  help(out, "airreg_sync_last_success_timestamp_seconds", "gauge",
       "When each provider's listing was last read successfully (Model Sync History).");
  for (const auto& [provider, when] : registry.last_listed())
    sample(out, "airreg_sync_last_success_timestamp_seconds", label("provider", provider), seconds_since_epoch(when));
  help(out, "airreg_fleet_redis_up", "gauge", "1 when the fleet's Redis answers (0 when it does not or is not set).");
  sample(out, "airreg_fleet_redis_up", "", s.fleet && s.redis_ok ? 1 : 0);

  help(out, "airreg_http_requests_total", "counter", "HTTP requests served, by route and status code.");
  for (size_t r = 0; r < kRoutes; ++r)
    for (size_t c = 0; c < kCodes.size(); ++c) {
      uint64_t n = requests_[r][c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::string code = kCodes[c] == 0 ? "other" : std::to_string(kCodes[c]);
      sample(out, "airreg_http_requests_total", label("route", route_label(static_cast<Route>(r))) + "," + label("code", code),
             static_cast<double>(n));
    }
  help(out, "airreg_http_request_duration_seconds", "histogram", "Time to answer an HTTP request, by route.");
  for (size_t r = 0; r < kRoutes; ++r) {
    // Read once: the +Inf bucket must equal the count, whatever arrives meanwhile.
    std::array<uint64_t, kBuckets.size() + 1> seen{};
    uint64_t count = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      seen[b] = buckets_[r][b].load(std::memory_order_relaxed);
      count += seen[b];
    }
    if (count == 0) continue;
    std::string route = label("route", route_label(static_cast<Route>(r)));
    uint64_t cumulative = 0;
    for (size_t b = 0; b <= kBuckets.size(); ++b) {
      cumulative += seen[b];
      char le[32];
      if (b < kBuckets.size()) {
        std::snprintf(le, sizeof le, "%g", kBuckets[b]);
      } else {
        std::snprintf(le, sizeof le, "+Inf");
      }
      sample(out, "airreg_http_request_duration_seconds_bucket", route + "," + label("le", le), static_cast<double>(cumulative));
    }
    sample(out, "airreg_http_request_duration_seconds_sum", route,
           static_cast<double>(duration_ns_[r].load(std::memory_order_relaxed)) / 1e9);
    sample(out, "airreg_http_request_duration_seconds_count", route, static_cast<double>(count));
  }
  return out;
}

}  // namespace airreg::serve

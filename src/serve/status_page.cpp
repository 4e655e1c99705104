#include "serve/status_page.hpp"

#include <algorithm>

#include "core/time_text.hpp"

namespace airreg::serve {

namespace {

std::string age_text(std::chrono::system_clock::duration age) {
  auto s = std::max<long long>(0, std::chrono::duration_cast<std::chrono::seconds>(age).count());
  if (s < 120) return std::to_string(s) + " s";
  if (s < 7200) return std::to_string(s / 60) + " min";
  if (s < 172800) return std::to_string(s / 3600) + " h";
  return std::to_string(s / 86400) + " days";
}

const char* kStyle = R"css(
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:64rem;padding:0 1rem;color:#1d232b}
h1{font-size:1.4rem;margin:0 0 .2rem}.sub{color:#5a6470;margin:0 0 1.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}th,td{text-align:left;padding:.45rem .6rem;border-bottom:1px solid #e3e7ec}
th{font-weight:600;color:#44505c;background:#f5f7f9}td.n{text-align:right;font-variant-numeric:tabular-nums}
.tag{display:inline-block;padding:.05rem .5rem;border-radius:.7rem;font-size:.85em;background:#e8f1ea;color:#1d6b34}
.warn{background:#fdf1dc;color:#8a5300}.bad{background:#fbe3e3;color:#a32020}
.box{display:flex;gap:1rem;flex-wrap:wrap;margin-bottom:1rem}.card{border:1px solid #e3e7ec;border-radius:.5rem;padding:.7rem 1rem;min-width:10rem}
.card b{display:block;font-size:1.3rem}
)css";

std::string tag(std::string_view text, std::string_view kind) {
  return "<span class=\"tag " + std::string(kind) + "\">" + html_escape(text) + "</span>";
}

std::string source_tag(const CachedAnswer& a) {
  std::string_view s = to_string(a.source);
  return tag(s, a.degraded ? (a.source == AnswerSource::curated ? "bad" : "warn") : "");
}

std::string outcome_tag(SyncOutcome outcome) {
  const char* kind = outcome == SyncOutcome::success || outcome == SyncOutcome::skipped ? ""
                     : outcome == SyncOutcome::partial                                 ? "warn"
                                                                                        : "bad";
  return tag(to_string(outcome), kind);
}

}  // namespace

std::string html_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string status_page_html(ModelRegistry& registry, const std::string& version) {
  auto now = std::chrono::system_clock::now();
  auto answers = registry.cached();
  std::sort(answers.begin(), answers.end(), [](const CachedAnswer& a, const CachedAnswer& b) {
    return std::tie(a.provider, a.category) < std::tie(b.provider, b.category);
  });
  auto syncs = registry.last_syncs();
  RegistryStats s = registry.stats();
  std::string h = "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
                  "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                  "<title>airreg status</title><style>" + std::string(kStyle) + "</style></head><body>";
  h += "<h1>airreg status</h1><p class=\"sub\">The model registry as this server answers it now, " +
       html_escape(core::format_utc(now)) + " (airreg " + html_escape(version) + ")</p>";
  h += "<div class=\"box\">";
  h += "<div class=\"card\">answers cached<b>" + std::to_string(answers.size()) + "</b></div>";
  h += "<div class=\"card\">outbox<b>" + std::to_string(s.outbox) + " row" + (s.outbox == 1 ? "" : "s") + "</b></div>";
  h += "<div class=\"card\">cache hits<b>" + std::to_string(s.hits + s.stale_served) + "</b></div>";
  h += "<div class=\"card\">Airtable requests<b>" + std::to_string(s.airtable_requests) + "</b></div>";
  std::string fleet = !s.fleet ? "alone (no Redis)" : s.redis_ok ? std::to_string(s.fleet_instances) + " instances" : "Redis down";
  h += "<div class=\"card\">fleet<b>" + html_escape(fleet) + "</b></div>";
  h += "</div>";
  h += "<table><thead><tr><th>provider</th><th>category</th><th>source</th><th>age</th><th>usable</th><th>pending</th>"
       "<th>rows</th><th>last sync</th></tr></thead><tbody>";
  if (answers.empty()) h += "<tr><td colspan=\"8\">Nothing answered yet: the first read of the table is under way.</td></tr>";
  for (const auto& a : answers) {
    std::string last = "never";
    for (const auto& sync : syncs)
      if (sync.provider == a.provider && sync.category == a.category)
        last = outcome_tag(sync.outcome) + " " + html_escape(age_text(now - sync.finished)) + " ago";
    h += "<tr><td>" + html_escape(a.provider) + "</td><td>" + html_escape(to_string(a.category)) + "</td><td>" +
         source_tag(a) + "</td><td>" + html_escape(age_text(now - a.as_of)) + "</td><td class=\"n\">" +
         std::to_string(a.usable) + "</td><td class=\"n\">" + std::to_string(a.pending) + "</td><td class=\"n\">" +
         std::to_string(a.rows) + "</td><td>" + last + "</td></tr>";
  }
  h += "</tbody></table>";
  if (!s.last_write_error.empty())
    h += "<p>" + tag("write-back stopped", "bad") + " " + html_escape(s.last_write_error) + "</p>";
  if (s.fleet && !s.redis_ok) h += "<p>" + tag("Redis", "bad") + " " + html_escape(s.redis_error) + "</p>";
  h += "<p class=\"sub\">JSON: <a href=\"/v1/registry/models\">/v1/registry/models</a> · OpenAI list: "
       "<a href=\"/v1/models\">/v1/models</a> · <a href=\"/metrics\">/metrics</a> · <a href=\"/readyz\">/readyz</a></p>";
  h += "</body></html>\n";
  return h;
}

}  // namespace airreg::serve

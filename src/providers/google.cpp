// Gemini: GET /models?pageSize=..&pageToken=.. while nextPageToken. Names are "models/<id>".
#include "providers/adapters.hpp"

#include "http/url.hpp"

namespace airreg::providers {

Result<void> list_google(ListingJob& job) {
  std::string token;
  for (int page = 0; page < 1000; ++page) {
    std::string path = "/models?pageSize=1000" + (token.empty() ? "" : "&pageToken=" + http::url_encode(token));
    auto response = job.http.get(path);
    if (!response) return std::unexpected(response.error());
    JsonListing listing(job.http.provider, std::move(response->body));
    std::optional<object> root;
    auto read = read_entries(job, listing, root_list(listing, root, "models"), "a \"models\" list", [&](ModelInfo& m, object& entry) {
      std::string name = listing.text(entry, "name").value_or("");
      m.id = name.starts_with("models/") ? name.substr(7) : name;
      m.display_name = listing.text(entry, "displayName").value_or(m.id);
      m.context_window = listing.integer(entry, "inputTokenLimit");
      m.max_output_tokens = listing.integer(entry, "outputTokenLimit");
      if (job.result.category == ModelCategory::text) add_feature(m, "chat");
      if (listing.flag(entry, "thinking") == true) add_feature(m, "reasoning");
    });
    if (!read) return read;
    auto next = listing.failed() ? std::nullopt : listing.text(*root, "nextPageToken");
    if (listing.failed()) return std::unexpected(listing.failure());
    if (!next || next->empty()) return {};
    if (*next == token) {
      listing.expect("a new \"nextPageToken\"");
      return std::unexpected(listing.failure());
    }
    token = *next;
  }
  return std::unexpected(make_error(ErrorCode::parse, job.http.provider + " kept paging past 1000 pages"));
}

}  // namespace airreg::providers

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
    auto doc = listing.document();
    if (!doc) return std::unexpected(doc.error());
    object root;
    if (auto err = (**doc).get_object().get(root); err) return std::unexpected(listing.error(err, "an object"));
    array models;
    if (auto err = root["models"].get_array().get(models); err) return std::unexpected(listing.error(err, "a \"models\" list"));
    for (auto item : models) {
      object entry;
      if (auto err = item.get_object().get(entry); err) return std::unexpected(listing.error(err, "a model object"));
      ModelInfo m;
      m.raw_json = minified(entry);
      std::string name = text_of(entry, "name").value_or("");
      m.id = name.starts_with("models/") ? name.substr(7) : name;
      m.display_name = text_of(entry, "displayName").value_or(m.id);
      m.context_window = integer_of(entry, "inputTokenLimit");
      m.max_output_tokens = integer_of(entry, "outputTokenLimit");
      if (job.result.category == ModelCategory::text) add_feature(m, "chat");
      bool thinking = false;
      if (entry["thinking"].get_bool().get(thinking) == simdjson::SUCCESS && thinking) add_feature(m, "reasoning");
      job.builder.offer(std::move(m), entry);
    }
    auto next = text_of(root, "nextPageToken");
    if (!next || next->empty()) return {};
    if (*next == token) return std::unexpected(listing.error(simdjson::INCORRECT_TYPE, "a new \"nextPageToken\""));
    token = *next;
  }
  return std::unexpected(make_error(ErrorCode::parse, job.http.provider + " kept paging past 1000 pages"));
}

}  // namespace airreg::providers

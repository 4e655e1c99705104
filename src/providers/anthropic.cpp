// Anthropic: GET /models?limit=..&after_id=.. while has_more (last_id names the next start).
#include "providers/adapters.hpp"

#include "http/url.hpp"

namespace airreg::providers {

Result<void> list_anthropic(ListingJob& job) {
  std::string after;
  for (int page = 0; page < 1000; ++page) {  // a bound against a server that pages forever
    std::string path = "/models?limit=1000" + (after.empty() ? "" : "&after_id=" + http::url_encode(after));
    auto response = job.http.get(path);
    if (!response) return std::unexpected(response.error());
    JsonListing listing(job.http.provider, std::move(response->body));
    auto doc = listing.document();
    if (!doc) return std::unexpected(doc.error());
    object root;
    if (auto err = (**doc).get_object().get(root); err) return std::unexpected(listing.error(err, "an object"));
    array data;
    if (auto err = root["data"].get_array().get(data); err) return std::unexpected(listing.error(err, "a \"data\" list"));
    for (auto item : data) {
      object entry;
      if (auto err = item.get_object().get(entry); err) return std::unexpected(listing.error(err, "a model object"));
      ModelInfo m;
      m.raw_json = minified(entry);
      m.id = text_of(entry, "id").value_or("");
      m.display_name = text_of(entry, "display_name").value_or(m.id);
      m.context_window = integer_of(entry, "max_input_tokens");  // newer answers carry limits
      m.max_output_tokens = integer_of(entry, "max_tokens");
      add_feature(m, "chat");
      job.builder.offer(std::move(m), entry);
    }
    bool more = false;
    if (root["has_more"].get_bool().get(more) != simdjson::SUCCESS || !more) return {};
    auto last = text_of(root, "last_id");
    if (!last || *last == after) return std::unexpected(listing.error(simdjson::INCORRECT_TYPE, "a new \"last_id\" while has_more"));
    after = *last;
  }
  return std::unexpected(make_error(ErrorCode::parse, job.http.provider + " kept paging past 1000 pages"));
}

}  // namespace airreg::providers

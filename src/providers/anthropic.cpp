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
    std::optional<object> root;
    auto read = read_entries(job, listing, root_list(listing, root, "data"), "a \"data\" list", [&](ModelInfo& m, object& entry) {
      m.id = listing.text(entry, "id").value_or("");
      m.display_name = listing.text(entry, "display_name").value_or(m.id);
      m.context_window = listing.integer(entry, "max_input_tokens");  // newer answers carry limits
      m.max_output_tokens = listing.integer(entry, "max_tokens");
      add_feature(m, "chat");
    });
    if (!read) return read;
    bool more = !listing.failed() && listing.flag(*root, "has_more") == true;
    auto last = more ? listing.text(*root, "last_id") : std::nullopt;
    if (listing.failed()) return std::unexpected(listing.failure());
    if (!more) return {};
    if (!last || *last == after) {
      listing.expect("a new \"last_id\" while has_more");
      return std::unexpected(listing.failure());
    }
    after = *last;
  }
  return std::unexpected(make_error(ErrorCode::parse, job.http.provider + " kept paging past 1000 pages"));
}

}  // namespace airreg::providers

#include "airreg/airtable_client.hpp"

#include <atomic>
#include <cstdlib>

#include "airtable/airtable_errors.hpp"
#include "airtable/records_json.hpp"
#include "http/url.hpp"

namespace airreg {

namespace {

using airtable::error_from_response;

const char* scope_for(int access) {
  static const char* kScopes[] = {"data.records:read", "data.records:write", "schema.bases:read",
                                  "schema.bases:write", "webhook:manage"};
  return kScopes[access];
}

void set_from_env(std::string& target, const char* name) {
  if (const char* v = std::getenv(name); v && *v) target = v;
}

std::string strip_trailing_slash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string list_query_string(const ListQuery& q, const std::string& offset) {
  using http::url_encode;
  std::string s = "pageSize=" + std::to_string(q.page_size);
  if (q.max_records) s += "&maxRecords=" + std::to_string(*q.max_records);
  if (!q.filter_by_formula.empty()) s += "&filterByFormula=" + url_encode(q.filter_by_formula);
  if (!q.view.empty()) s += "&view=" + url_encode(q.view);
  for (const auto& f : q.fields) s += "&" + url_encode("fields[]") + "=" + url_encode(f);
  for (size_t i = 0; i < q.sort.size(); ++i) {
    std::string prefix = "sort[" + std::to_string(i) + "]";
    s += "&" + url_encode(prefix + "[field]") + "=" + url_encode(q.sort[i].first);
    s += "&" + url_encode(prefix + "[direction]") + "=" + (q.sort[i].second ? "desc" : "asc");
  }
  if (q.return_fields_by_field_id) s += "&returnFieldsByFieldId=true";
  if (!offset.empty()) s += "&offset=" + url_encode(offset);
  return s;
}

Error too_many(size_t n) {
  return make_error(ErrorCode::invalid_argument,
                    "Airtable takes 1 to 10 records per write request, not " + std::to_string(n));
}

}  // namespace

AirtableConfig AirtableConfig::from_environment() {
  AirtableConfig c;
  set_from_env(c.token, "AIRTABLE_API_KEY");
  set_from_env(c.base_id, "AIRTABLE_BASE_ID");
  set_from_env(c.table, "AIRTABLE_TABLE");
  set_from_env(c.history_table, "AIRTABLE_HISTORY_TABLE");
  set_from_env(c.endpoint_url, "AIRTABLE_ENDPOINT_URL");
  return c;
}

AirtableClient::AirtableClient(AirtableConfig config, std::shared_ptr<HttpTransport> transport)
    : config_(std::move(config)),
      transport_(std::move(transport)),
      requests_(std::make_shared<Counters>()) {
  config_.endpoint_url = strip_trailing_slash(config_.endpoint_url);
  limiter_ = shared_rate_limiter(config_.endpoint_url, config_.base_id, config_.max_requests_per_second);
}

size_t AirtableClient::request_count() const { return requests_->sent.load(); }

AirtableClient::Outcomes AirtableClient::outcomes() const {
  return Outcomes{requests_->ok.load(), requests_->rate_limited.load(), requests_->failed.load()};
}

std::string AirtableClient::records_url(const std::string& table) const {
  return config_.endpoint_url + "/v0/" + http::url_encode(config_.base_id) + "/" + http::url_encode(table);
}

std::string AirtableClient::meta_url(const std::string& rest) const {
  return config_.endpoint_url + "/v0/meta/bases/" + http::url_encode(config_.base_id) + "/tables" + rest;
}

Result<HttpResponse> AirtableClient::call(const std::string& method, const std::string& url,
                                          const std::string& body, Access access) const {
  if (auto refused = http::refuse_plain_http(url, "the Airtable token")) return std::unexpected(*refused);
  HttpRequest request{method, url, {{"Authorization", "Bearer " + config_.token}}, body, stop_};
  if (!body.empty()) request.headers.emplace_back("Content-Type", "application/json");
  RateLimiter::Permit permit = limiter_ ? limiter_->acquire(stop_) : RateLimiter::Permit{};
  if (stop_.stop_requested())
    return std::unexpected(make_error(ErrorCode::cancelled, "stopped before the request to Airtable was sent"));
  requests_->sent.fetch_add(1);
  auto response = transport_->send(request);
  permit.finish();
  if (!response) {
    requests_->failed.fetch_add(1);
    return std::unexpected(response.error());
  }
  if (response->status == 429) {
    requests_->rate_limited.fetch_add(1);
  } else if (response->status < 200 || response->status >= 300) {
    requests_->failed.fetch_add(1);
  } else {
    requests_->ok.fetch_add(1);
  }
  if (response->status < 200 || response->status >= 300) {
    Error error = error_from_response(*response, scope_for(static_cast<int>(access)), config_.base_id);
    // Airtable refuses every request of the base for 30 s after a 429: nobody should try sooner.
    if (error.code == ErrorCode::rate_limited && limiter_)
      limiter_->pause_for(error.retry_after.value_or(config_.rate_limit_pause));
    return std::unexpected(error);
  }
  return response;
}

Result<std::vector<AirtableRecord>> AirtableClient::list(const std::string& table, const ListQuery& query,
                                                         size_t* requests) const {
  std::vector<AirtableRecord> all;
  auto listed = list_pages(
      table, query,
      [&](std::vector<AirtableRecord>&& records, bool first) {
        if (first) all.clear();
        all.insert(all.end(), std::make_move_iterator(records.begin()), std::make_move_iterator(records.end()));
      },
      requests);
  if (!listed) return std::unexpected(listed.error());
  return all;
}

Result<void> AirtableClient::list_pages(const std::string& table, const ListQuery& query, const RecordPage& page,
                                        size_t* requests) const {
  size_t sent = 0;
  auto first = list_once(table, query, page, &sent);
  // Airtable drops an iterator that lived too long or whose listing changed: start over once.
  if (!first && first.error().type == "LIST_RECORDS_ITERATOR_NOT_AVAILABLE") first = list_once(table, query, page, &sent);
  if (requests) *requests += sent;
  return first;
}

Result<void> AirtableClient::list_once(const std::string& table, const ListQuery& query, const RecordPage& page,
                                       size_t* requests) const {
  std::string offset;
  bool first = true;
  do {
    ++*requests;
    std::string url = records_url(table) + "?" + list_query_string(query, offset);
    Result<HttpResponse> response = url.size() <= config_.max_url_length
                                        ? call("GET", url, "", Access::records_read)
                                        : call("POST", records_url(table) + "/listRecords",
                                               airtable::write_list_body(query, offset), Access::records_read);
    if (!response) return std::unexpected(response.error());
    auto parsed = airtable::parse_record_page(response->body);
    if (!parsed) return std::unexpected(parsed.error());
    page(std::move(parsed->records), first);
    first = false;
    offset = std::move(parsed->offset);
  } while (!offset.empty());
  return {};
}

Result<AirtableRecord> AirtableClient::get(const std::string& table, const std::string& record_id) const {
  auto response = call("GET", records_url(table) + "/" + http::url_encode(record_id), "", Access::records_read);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_record(response->body);
}

Result<std::vector<AirtableRecord>> AirtableClient::create(const std::string& table,
                                                           const std::vector<Fields>& records, bool typecast) const {
  if (records.empty() || records.size() > 10) return std::unexpected(too_many(records.size()));
  std::vector<AirtableRecord> rows;
  for (const auto& f : records) rows.push_back({"", "", f});
  auto response = call("POST", records_url(table), airtable::write_records_body(rows, typecast), Access::records_write);
  if (!response) return std::unexpected(response.error());
  auto page = airtable::parse_record_page(response->body);
  if (!page) return std::unexpected(page.error());
  return std::move(page->records);
}

Result<std::vector<AirtableRecord>> AirtableClient::update(const std::string& table,
                                                           const std::vector<AirtableRecord>& records,
                                                           bool replace, bool typecast) const {
  if (records.empty() || records.size() > 10) return std::unexpected(too_many(records.size()));
  auto response = call(replace ? "PUT" : "PATCH", records_url(table),
                       airtable::write_records_body(records, typecast), Access::records_write);
  if (!response) return std::unexpected(response.error());
  auto page = airtable::parse_record_page(response->body);
  if (!page) return std::unexpected(page.error());
  return std::move(page->records);
}

Result<UpsertResult> AirtableClient::upsert(const std::string& table, const std::vector<Fields>& records,
                                            const std::vector<std::string>& merge_on, bool typecast) const {
  if (records.empty() || records.size() > 10) return std::unexpected(too_many(records.size()));
  if (merge_on.empty() || merge_on.size() > 3)
    return std::unexpected(make_error(ErrorCode::invalid_argument, "an upsert merges on 1 to 3 fields"));
  std::vector<AirtableRecord> rows;
  for (const auto& f : records) rows.push_back({"", "", f});
  auto response = call("PATCH", records_url(table), airtable::write_records_body(rows, typecast, merge_on),
                       Access::records_write);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_upsert(response->body);
}

Result<std::vector<std::string>> AirtableClient::remove(const std::string& table,
                                                        const std::vector<std::string>& record_ids) const {
  if (record_ids.empty() || record_ids.size() > 10) return std::unexpected(too_many(record_ids.size()));
  std::string query;
  for (const auto& id : record_ids) query += (query.empty() ? "?" : "&") + http::url_encode("records[]") + "=" + http::url_encode(id);
  auto response = call("DELETE", records_url(table) + query, "", Access::records_write);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_deleted(response->body);
}

Result<std::vector<TableSpec>> AirtableClient::tables() const {
  auto response = call("GET", meta_url(""), "", Access::schema_read);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_tables(response->body);
}

Result<TableSpec> AirtableClient::create_table(const TableSpec& table) const {
  auto response = call("POST", meta_url(""), airtable::write_table_body(table), Access::schema_write);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_table(response->body);
}

Result<FieldSpec> AirtableClient::create_field(const std::string& table_id, const FieldSpec& field) const {
  auto response = call("POST", meta_url("/" + http::url_encode(table_id) + "/fields"),
                       airtable::write_field_body(field), Access::schema_write);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_field(response->body);
}

Result<FieldSpec> AirtableClient::update_field(const std::string& table_id, const std::string& field_id,
                                               const std::optional<std::string>& name,
                                               const std::optional<std::string>& description) const {
  auto response = call("PATCH", meta_url("/" + http::url_encode(table_id) + "/fields/" + http::url_encode(field_id)),
                       airtable::write_field_update_body(name, description), Access::schema_write);
  if (!response) return std::unexpected(response.error());
  return airtable::parse_field(response->body);
}

}  // namespace airreg

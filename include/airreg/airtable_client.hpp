// AirtableClient: the Airtable Web API (records and meta) for one base, over an injected
// HttpTransport. It sends exactly the requests asked for: no chunking, pacing or retries
// (the BatchWriter adds those), except that a listing restarts once when Airtable drops its
// iterator. Every request waits for the base's RateLimiter, and a 429 pauses that limiter for
// everyone. Thread-safe: calls share only the transport and the limiter.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <stop_token>
#include <string>
#include <utility>
#include <vector>

#include "airreg/airtable_types.hpp"
#include "airreg/error.hpp"
#include "airreg/http_transport.hpp"
#include "airreg/rate_limiter.hpp"

namespace airreg {

struct AirtableConfig {
  std::string token;     // a personal access token; never logged or shown
  std::string base_id;
  std::string endpoint_url = "https://api.airtable.com";  // as the official client
  std::string table = "AI Model Registry";
  std::string history_table = "Model Sync History";
  // Longer listings go out as POST listRecords (characters). Airtable takes 16,000, but
  // proxies and airtable-local (cpp-httplib) stop at 8 KiB, and a POST costs the same request.
  size_t max_url_length = 8'000;
  double max_requests_per_second = 5;  // per base, shared by the process; 0: no pacing (req/s)
  std::chrono::milliseconds rate_limit_pause{30'000};  // after a 429 without Retry-After (ms)

  // Fills the fields from AIRTABLE_API_KEY, AIRTABLE_BASE_ID, AIRTABLE_TABLE,
  // AIRTABLE_HISTORY_TABLE and AIRTABLE_ENDPOINT_URL where they are set.
  static AirtableConfig from_environment();
};

struct ListQuery {
  std::string filter_by_formula;
  std::vector<std::string> fields;                    // empty: every field
  std::vector<std::pair<std::string, bool>> sort;     // field, descending
  std::string view;
  int page_size = 100;
  std::optional<int> max_records;
  bool return_fields_by_field_id = false;
};

struct UpsertResult {
  std::vector<AirtableRecord> records;
  std::vector<std::string> created;  // record ids
  std::vector<std::string> updated;
};

class AirtableClient {
 public:
  AirtableClient(AirtableConfig config, std::shared_ptr<HttpTransport> transport);

  const AirtableConfig& config() const { return config_; }
  // By default the process-wide limiter of the base (shared_rate_limiter); tests inject one.
  void set_rate_limiter(std::shared_ptr<RateLimiter> limiter) { limiter_ = std::move(limiter); }
  const std::shared_ptr<RateLimiter>& rate_limiter() const { return limiter_; }
  // Requests sent so far (every attempt, any answer), by this client and its copies.
  size_t request_count() const;
  // Of those: answered 2xx, answered 429, and the rest (other statuses, no answer).
  struct Outcomes {
    size_t ok = 0, rate_limited = 0, failed = 0;
  };
  Outcomes outcomes() const;
  // Once `stop` is requested, waits for the rate limiter end and requests in flight are
  // abandoned (ErrorCode::cancelled): for a process that is shutting down.
  void set_stop_token(std::stop_token stop) { stop_ = std::move(stop); }

  // Records. `table` is a table name or id. Each write takes 1 to 10 records.
  // Every page; `requests`, when given, counts the requests this listing sent.
  Result<std::vector<AirtableRecord>> list(const std::string& table, const ListQuery& query = {},
                                           size_t* requests = nullptr) const;
  // The same listing a page at a time, for a caller that keeps less than every record: `page`
  // takes each page's records as it comes, `first` set on the first page. A listing Airtable
  // drops midway starts over once, with `first` set again: drop what the pages before gave.
  using RecordPage = std::function<void(std::vector<AirtableRecord>&& records, bool first)>;
  Result<void> list_pages(const std::string& table, const ListQuery& query, const RecordPage& page,
                          size_t* requests = nullptr) const;
  Result<AirtableRecord> get(const std::string& table, const std::string& record_id) const;
  Result<std::vector<AirtableRecord>> create(const std::string& table, const std::vector<Fields>& records,
                                             bool typecast = false) const;
  // PATCH, or PUT (replace = true: fields not sent are cleared).
  Result<std::vector<AirtableRecord>> update(const std::string& table,
                                             const std::vector<AirtableRecord>& records,
                                             bool replace = false, bool typecast = false) const;
  Result<UpsertResult> upsert(const std::string& table, const std::vector<Fields>& records,
                              const std::vector<std::string>& merge_on, bool typecast = false) const;
  Result<std::vector<std::string>> remove(const std::string& table,
                                          const std::vector<std::string>& record_ids) const;

  // Meta.
  Result<std::vector<TableSpec>> tables() const;
  // Fields carry name, type, description and options_json; the first becomes primary.
  Result<TableSpec> create_table(const TableSpec& table) const;
  Result<FieldSpec> create_field(const std::string& table_id, const FieldSpec& field) const;
  Result<FieldSpec> update_field(const std::string& table_id, const std::string& field_id,
                                 const std::optional<std::string>& name,
                                 const std::optional<std::string>& description) const;

  // Webhooks (scope webhook:manage), on the changes to one table's data.
  Result<WebhookInfo> create_webhook(const std::string& notification_url, const std::string& table_id) const;
  Result<std::vector<WebhookInfo>> list_webhooks() const;
  // The new expiration time (ISO 8601).
  Result<std::string> refresh_webhook(const std::string& webhook_id) const;
  Result<void> delete_webhook(const std::string& webhook_id) const;
  // The payloads from `cursor` on (at most 50).
  Result<WebhookPayloadPage> webhook_payloads(const std::string& webhook_id, long long cursor) const;
  // The id of the user the token belongs to (usr...): how its own changes are told apart.
  Result<std::string> whoami() const;

 private:
  enum class Access { records_read, records_write, schema_read, schema_write, webhook_manage };
  Result<HttpResponse> call(const std::string& method, const std::string& url, const std::string& body,
                            Access access) const;
  Result<void> list_once(const std::string& table, const ListQuery& query, const RecordPage& page, size_t* requests) const;
  std::string records_url(const std::string& table) const;
  std::string meta_url(const std::string& rest) const;
  std::string webhooks_url(const std::string& rest) const;

  AirtableConfig config_;
  std::shared_ptr<HttpTransport> transport_;
  std::shared_ptr<RateLimiter> limiter_;
  struct Counters {
    std::atomic<size_t> sent{0}, ok{0}, rate_limited{0}, failed{0};
  };
  std::shared_ptr<Counters> requests_;  // shared by copies of the client
  std::stop_token stop_;
};

}  // namespace airreg

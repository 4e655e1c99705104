// The records API of airtable-local: list, get, create, update (PATCH/PUT), upsert and delete,
// over one table. Functions of the data only; the caller (Service) holds the store's lock.
#pragma once

#include <simdjson.h>

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "api_error.hpp"
#include "clock_text.hpp"
#include "ids.hpp"
#include "model.hpp"
#include "query.hpp"
#include "record_changes.hpp"

namespace airtable_local {

// A JSON answer body, or the error to send instead.
using Reply = std::expected<std::string, ApiError>;

struct SortKey {
  std::string field_id;
  bool descending = false;
};

struct ListOptions {
  int page_size = 100;
  std::optional<size_t> max_records;
  std::vector<std::string> field_ids;  // empty: every field
  std::string formula;
  std::vector<SortKey> sort;
  std::string offset;
  std::string view;
  bool by_field_id = false;
};

std::expected<ListOptions, ApiError> list_options_from_query(const Target& target, const Table& table);
std::expected<ListOptions, ApiError> list_options_from_body(simdjson::dom::element body,
                                                            const Table& table);
Reply list_records(const Table& table, const ListOptions& options, SysTime now, IdGenerator& ids);
Reply get_record(const Table& table, const std::string& record_id, bool by_field_id);

// Writes are all-or-nothing: one bad record refuses the whole request, as in Airtable. Each
// adds what it changed to `effects` (for the webhooks) and stamps the modified time (`now`) of
// every cell whose value it changed.
Reply create_records(Table& table, simdjson::dom::element body, IdGenerator& ids, SysTime now,
                     TableChanges& effects);
// replace: PUT semantics (fields not sent are cleared). Handles performUpsert too.
Reply update_records(Table& table, simdjson::dom::element body, bool replace, IdGenerator& ids,
                     SysTime now, TableChanges& effects);
Reply update_record(Table& table, const std::string& record_id, simdjson::dom::element body,
                    bool replace, IdGenerator& ids, SysTime now, TableChanges& effects);
Reply delete_records(Table& table, const std::vector<std::string>& record_ids, bool single,
                     TableChanges& effects);

}  // namespace airtable_local

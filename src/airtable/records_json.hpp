// JSON for the records and meta APIs: simdjson reads answers, RapidJSON writes requests.
// Pure functions; a body of the wrong shape is an error naming what was expected.
#pragma once

#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"

namespace airreg::airtable {

struct RecordPage {
  std::vector<AirtableRecord> records;
  std::string offset;
};

Result<RecordPage> parse_record_page(const std::string& body);
Result<AirtableRecord> parse_record(const std::string& body);
Result<UpsertResult> parse_upsert(const std::string& body);
Result<std::vector<std::string>> parse_deleted(const std::string& body);
Result<std::vector<TableSpec>> parse_tables(const std::string& body);
Result<TableSpec> parse_table(const std::string& body);
Result<FieldSpec> parse_field(const std::string& body);

// {"records":[{"id"?, "fields":{...}}], "typecast", "performUpsert"?}
std::string write_records_body(const std::vector<AirtableRecord>& records, bool typecast,
                               const std::vector<std::string>& merge_on = {});
std::string write_list_body(const ListQuery& query, const std::string& offset);
std::string write_table_body(const TableSpec& table);
std::string write_field_body(const FieldSpec& field);
std::string write_field_update_body(const std::optional<std::string>& name,
                                    const std::optional<std::string>& description);

}  // namespace airreg::airtable

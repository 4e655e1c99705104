#include "airtable/write_refusals.hpp"

namespace airreg::airtable {

Refusal classify_refusal(const Error& e) {
  if (e.http_status == 404 || e.type == "ROW_DOES_NOT_EXIST" || e.type == "MODEL_ID_NOT_FOUND") return Refusal::gone;
  if (e.code != ErrorCode::invalid_request) return Refusal::none;
  if (e.type == "UNKNOWN_FIELD_NAME" || e.type == "INVALID_MULTIPLE_CHOICE_OPTIONS" || e.type == "INVALID_REQUEST_UNKNOWN" ||
      e.type == "INVALID_REQUEST_MISSING_FIELDS" || e.type == "TABLE_NOT_FOUND" || e.type == "INVALID_PERMISSIONS")
    return Refusal::schema;
  if (e.type == "INVALID_VALUE_FOR_COLUMN" || e.type == "CANNOT_UPDATE_COMPUTED_FIELD_VALUE") return Refusal::cell;
  return Refusal::row;
}

std::string schema_advice(const Error& e) {
  if (e.type == "UNKNOWN_FIELD_NAME")
    return "the table lacks a column airreg writes (" + e.message +
           "): run `airreg setup` to add it, then `airreg flush`; the rows wait in the outbox";
  if (e.type == "INVALID_MULTIPLE_CHOICE_OPTIONS")
    return "a select column lacks an option airreg writes (" + e.message +
           "): add the option in Airtable (`airreg setup` lists the missing ones), then `airreg flush`; the rows wait in the outbox";
  return "Airtable cannot take airreg's write request (" + e.message +
         "): check the table with `airreg setup --dry-run`; the rows wait in the outbox";
}

}  // namespace airreg::airtable

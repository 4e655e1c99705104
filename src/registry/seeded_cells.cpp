#include "registry/seeded_cells.hpp"

#include <algorithm>


namespace airreg::registry {

namespace {

// The field's bit in RegistryRow::seeded_in_cells; 0 for a field that is not seeded.
uint8_t bit_of(std::string_view field) {
  auto at = std::find(kSeededFields.begin(), kSeededFields.end(), field);
  return at == kSeededFields.end() ? 0 : static_cast<uint8_t>(1u << (at - kSeededFields.begin()));
}

FieldValue optional_number(const std::optional<double>& v) { return v ? FieldValue(*v) : FieldValue{}; }
FieldValue optional_whole(const std::optional<int64_t>& v) {
  return v ? FieldValue(static_cast<double>(*v)) : FieldValue{};
}

}  // namespace

FieldValue seeded_cell(const RegistryRow& r, std::string_view field) {
  if (field == "model_name") return r.model_name.empty() ? FieldValue{} : FieldValue(r.model_name);
  if (field == "category") return std::string(to_string(r.category));
  if (field == "max_tokens") return optional_whole(r.max_tokens);
  if (field == "max_output_tokens") return optional_whole(r.max_output_tokens);
  if (field == "input_cost") return optional_number(r.input_cost);
  if (field == "output_cost") return optional_number(r.output_cost);
  return r.features.empty() ? FieldValue{} : FieldValue(r.features);
}

void set_seeded_cell(RegistryRow& r, std::string_view field, const FieldValue& v) {
  auto number = [&]() -> std::optional<double> {
    if (auto d = std::get_if<double>(&v)) return *d;
    return std::nullopt;
  };
  auto whole = [&]() { return number() ? std::optional<int64_t>(static_cast<int64_t>(*number())) : std::nullopt; };
  if (field == "model_name") r.model_name = std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : "";
  if (field == "category")
    if (auto text = std::get_if<std::string>(&v)) r.category = parse_category(*text).value_or(r.category);
  if (field == "max_tokens") r.max_tokens = whole();
  if (field == "max_output_tokens") r.max_output_tokens = whole();
  if (field == "input_cost") r.input_cost = number();
  if (field == "output_cost") r.output_cost = number();
  if (field == "features")
    r.features = std::holds_alternative<std::vector<std::string>>(v) ? std::get<std::vector<std::string>>(v)
                                                                       : std::vector<std::string>{};
}

std::optional<FieldValue> last_seeded(const RegistryRow& row, std::string_view field) {
  if (row.seeded_in_cells & bit_of(field)) return seeded_cell(row, field);
  const Fields& seeded = row.book.seeded();
  auto kept = seeded.find(std::string(field));
  if (kept == seeded.end()) return std::nullopt;
  return kept->second;
}

void remember_seeded(RegistryRow& row, std::string_view field, const FieldValue& value, bool as_bit) {
  uint8_t bit = bit_of(field);
  // Only the very value: a cell Airtable deems equal (features in another order) would write
  // Metadata differently.
  if (as_bit && bit != 0 && value == seeded_cell(row, field)) {
    row.seeded_in_cells |= bit;
    if (!row.book.seeded().empty()) {
      row.book.edit_seeded().erase(std::string(field));
      row.book.drop_if_empty();
    }
  } else {
    row.seeded_in_cells &= static_cast<uint8_t>(~bit);
    row.book.edit_seeded()[std::string(field)] = value;
  }
}

Fields seeded_values(const RegistryRow& row) {
  Fields all = row.book.seeded();
  for (std::string_view field : kSeededFields)
    if (row.seeded_in_cells & bit_of(field)) all[std::string(field)] = seeded_cell(row, field);
  return all;
}

void unfold_seeded(RegistryRow& row) {
  if (row.seeded_in_cells == 0) return;
  row.book.edit_seeded() = seeded_values(row);
  row.seeded_in_cells = 0;
}

void fold_seeded(RegistryRow& row) {
  if (row.book.seeded().empty()) return;
  Fields& seeded = row.book.edit_seeded();
  for (auto it = seeded.begin(); it != seeded.end();) {
    uint8_t bit = bit_of(it->first);
    if (bit != 0 && it->second == seeded_cell(row, it->first)) {  // the very value, as in remember_seeded
      row.seeded_in_cells |= bit;
      it = seeded.erase(it);
    } else {
      ++it;
    }
  }
  row.book.drop_if_empty();
}

}  // namespace airreg::registry

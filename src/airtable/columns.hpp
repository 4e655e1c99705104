// The columns of one of airreg's tables as the base holds them now: for each field key of
// schema/ ("model_id") the field's id, its current name (a person may have renamed it) and
// its select options. Code addresses cells by `cell(key)`: the field id when the base's
// schema could be read (reads ask returnFieldsByFieldId, writes send ids, formulas use
// {fldXXX}), so that a column renamed while a process runs changes nothing; schema/'s names
// otherwise. Names are kept for what people read. Immutable; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/schema.hpp"
#include "json/fields_json.hpp"

namespace airreg::airtable {

class Columns {
 public:
  // schema/'s names, without ids (the base's schema could not be read).
  static Columns from_schema(const TableSchema& schema);
  // The base's table, found as setup finds it (marker, then name). Columns the base lacks
  // keep schema/'s name and are not present().
  static Columns bind(const TableSchema& schema, const TableSpec& table);

  // The key of the column's cells in Fields: its id, or its name without ids.
  const std::string& cell(std::string_view key) const;
  // What people call the column now.
  const std::string& name(std::string_view key) const;
  // The options people may pick: the base's (schema/'s without ids).
  const std::vector<std::string>& choices(std::string_view key) const;
  bool present(std::string_view key) const;
  bool by_id() const { return by_id_; }
  const std::string& table() const { return table_; }        // the table's id, or name
  const std::string& table_name() const { return table_name_; }
  const TableSchema& schema() const { return schema_; }

  // The cells of every column (for fields[]), of one owner, and the names by cell.
  std::vector<std::string> cells() const;
  std::set<std::string> cells_owned_by(std::string_view owner) const;
  std::map<std::string, std::string> names_by_cell() const;
  std::vector<std::string> merge_on() const;  // the cells of schema/'s merge_on keys

  // The binding as JSON, kept in the state directory so that a restart needs no request to
  // the meta API (ids do not change when people rename columns).
  std::string to_json() const;
  void write_json(json::Writer& w) const;
  // Nothing when the text is not a binding of this schema.
  static std::optional<Columns> from_json(const TableSchema& schema, std::string_view json);

 private:
  struct Column {
    std::string key, cell, name, owner;
    std::vector<std::string> choices;
    bool present = true;
  };
  const Column& column(std::string_view key) const;

  TableSchema schema_;
  std::vector<Column> columns_;
  std::string table_, table_name_;
  bool by_id_ = false;
};

struct BoundTables {
  Columns registry, history;
  std::optional<std::string> warning;  // why names are used instead of ids
  bool bound() const { return !warning; }
  std::string to_json() const;
  static std::optional<BoundTables> from_json(const RegistrySchemas& schemas, std::string_view json);
};
// Reads the base's schema once and binds both tables; without schema.bases:read (or when a
// table does not exist yet) falls back to schema/'s names, with the reason as a warning.
BoundTables bind_tables(const AirtableClient& client, const RegistrySchemas& schemas);

}  // namespace airreg::airtable

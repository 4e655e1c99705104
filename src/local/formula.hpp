// filterByFormula for airtable-local: a parser for Airtable's formula language (the subset
// the README lists) and an evaluator over one record. A parsed Formula is immutable and may
// be evaluated from several threads.
#pragma once

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "clock_text.hpp"
#include "model.hpp"

namespace airtable_local {

struct FormulaNode {
  enum class Kind { Number, Text, Field, Call, Binary, Negate };
  Kind kind = Kind::Number;
  double number = 0;
  std::string text;  // literal text, field id, upper-case function name, or operator
  std::vector<std::unique_ptr<FormulaNode>> args;
};

class Formula {
 public:
  // Field references are resolved against the table here, so an unknown field is a parse
  // error (Airtable answers INVALID_FILTER_BY_FORMULA for it too).
  static std::expected<Formula, std::string> parse(std::string_view text, const Table& table);

  // True when the formula's value is truthy for the record (non-zero, non-empty).
  bool matches(const Table& table, const Record& record, SysTime now) const;

 private:
  std::unique_ptr<FormulaNode> root_;
};

}  // namespace airtable_local

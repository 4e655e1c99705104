// airtable-local's formula parser and evaluator, on an in-memory table.
#include <catch2/catch.hpp>

#include "formula.hpp"

using namespace airtable_local;

namespace {

Table make_table() {
  Table t;
  t.fields = {{"fld1", "Name", "singleLineText", "", {}, ""},
              {"fld2", "Tokens", "number", "", {}, R"({"precision":0})"},
              {"fld3", "On", "checkbox", "", {}, ""},
              {"fld4", "Seen", "dateTime", "", {}, ""},
              {"fld5", "Tags", "multipleSelects", "", {}, ""},
              {"fld6", "we}ird", "singleLineText", "", {}, ""}};
  Record r{"recA", "2026-01-01T00:00:00.000Z", {}};
  r.cells["fld1"] = std::string("gpt-4o");
  r.cells["fld2"] = 128000.0;
  r.cells["fld3"] = true;
  r.cells["fld4"] = std::string("2026-11-20T10:00:00.000Z");
  r.cells["fld5"] = std::vector<std::string>{"chat", "vision"};
  r.cells["fld6"] = std::string("x");
  t.records.push_back(r);
  t.records.push_back(Record{"recB", "2026-01-01T00:00:00.000Z", {}});
  return t;
}

bool eval(const Table& t, const std::string& formula, size_t row = 0) {
  auto f = Formula::parse(formula, t);
  INFO(formula << " -> " << (f ? "ok" : f.error()));
  REQUIRE(f.has_value());
  auto now = *parse_iso8601("2026-11-22T00:00:00Z");
  return f->matches(t, t.records[row], now);
}

}  // namespace

TEST_CASE("formulas compare fields, literals and functions as Airtable does", "[local][formula]") {
  Table t = make_table();
  CHECK(eval(t, "{Name} = 'gpt-4o'"));
  CHECK(eval(t, "{Name} = \"gpt-4o\""));
  CHECK_FALSE(eval(t, "{Name} != 'gpt-4o'"));
  CHECK(eval(t, "AND({Tokens} > 1000, {Tokens} <= 128000, {On})"));
  CHECK(eval(t, "OR(FALSE(), {On} = TRUE())"));
  CHECK(eval(t, "NOT({Name} = 'x')"));
  CHECK(eval(t, "IF({On}, 1, 0)"));
  CHECK(eval(t, "LOWER(UPPER({Name})) = 'gpt-4o'"));
  CHECK(eval(t, "FIND('4o', {Name}) = 5"));
  CHECK(eval(t, "LEN({Name}) = 6"));
  CHECK(eval(t, "{Name} & '/x' = 'gpt-4o/x'"));
  CHECK(eval(t, "IS_AFTER({Seen}, '2026-11-01')"));
  CHECK(eval(t, "IS_BEFORE({Seen}, NOW())"));
  CHECK(eval(t, "DATETIME_DIFF(NOW(), {Seen}, 'hours') = 38"));
  CHECK(eval(t, "IS_AFTER(DATETIME_PARSE('2026-11-21'), {Seen})"));
  CHECK(eval(t, "RECORD_ID() = 'recA'"));
  CHECK(eval(t, "FIND('vision', {Tags})"));
  CHECK(eval(t, "{we\\}ird} = 'x'"));
  CHECK(eval(t, "{fld1} = 'gpt-4o'"));  // by field id
}

TEST_CASE("blank cells behave like Airtable's blanks", "[local][formula]") {
  Table t = make_table();
  CHECK(eval(t, "{Name} = BLANK()", 1));
  CHECK(eval(t, "{Name} = ''", 1));
  CHECK(eval(t, "NOT({On})", 1));
  CHECK_FALSE(eval(t, "{Name}", 1));
  CHECK_FALSE(eval(t, "IS_AFTER({Seen}, '2020-01-01')", 1));
}

TEST_CASE("a formula that cannot be parsed is an error, never a crash", "[local][formula]") {
  Table t = make_table();
  for (const std::string& bad : std::vector<std::string>{"", "AND(", "{Name", "'open", "{Nope} = 1", "FOO(1)", "1 +", ")",
                          "NOT(1, 2)", std::string(100, '('), std::string(5000, '-') + "1"}) {
    INFO(bad);
    CHECK_FALSE(Formula::parse(bad, t).has_value());
  }
  std::string long_chain = "1";
  for (int i = 0; i < 20000; ++i) long_chain += "+1";
  CHECK_FALSE(Formula::parse(long_chain, t).has_value());
}

TEST_CASE("LAST_MODIFIED_TIME and CREATED_TIME read the record's times as datetimes", "[local][formula]") {
  Table t = make_table();
  Record& r = t.records[0];
  r.modified["fld1"] = *parse_iso8601("2026-11-20T10:00:00.250Z");
  r.modified["fld2"] = *parse_iso8601("2026-11-21T08:30:00.000Z");
  // A field that was cleared keeps its modified time though it has no cell.
  r.modified["fld6"] = *parse_iso8601("2026-11-21T09:00:00.000Z");

  CHECK(eval(t, "IS_AFTER(LAST_MODIFIED_TIME(), DATETIME_PARSE('2026-11-21T08:59:59.999Z'))"));
  CHECK_FALSE(eval(t, "IS_AFTER(LAST_MODIFIED_TIME(), DATETIME_PARSE('2026-11-21T09:00:00.000Z'))"));
  CHECK(eval(t, "LAST_MODIFIED_TIME() = DATETIME_PARSE('2026-11-21T09:00:00.000Z')"));
  // Only the named fields, by name or id; milliseconds count.
  CHECK(eval(t, "IS_AFTER(LAST_MODIFIED_TIME({Name}), DATETIME_PARSE('2026-11-20T10:00:00.249Z'))"));
  CHECK_FALSE(eval(t, "IS_AFTER(LAST_MODIFIED_TIME({Name}), DATETIME_PARSE('2026-11-20T10:00:00.250Z'))"));
  CHECK(eval(t, "LAST_MODIFIED_TIME({Name}, {fld2}) = DATETIME_PARSE('2026-11-21T08:30:00Z')"));
  CHECK(eval(t, "DATETIME_DIFF(LAST_MODIFIED_TIME({Tokens}), LAST_MODIFIED_TIME({Name}), 'ms') = 80999750"));
  // A field never written has no modified time: blank, so nothing is after anything.
  CHECK(eval(t, "LAST_MODIFIED_TIME({On}) = BLANK()"));
  CHECK_FALSE(eval(t, "IS_AFTER(LAST_MODIFIED_TIME({On}), '2000-01-01')"));
  CHECK(eval(t, "IS_BEFORE(LAST_MODIFIED_TIME({Tokens}), NOW())"));
  CHECK(eval(t, "LAST_MODIFIED_TIME() > CREATED_TIME()"));

  CHECK(eval(t, "CREATED_TIME() = DATETIME_PARSE('2026-01-01T00:00:00.000Z')"));
  CHECK(eval(t, "IS_BEFORE(CREATED_TIME(), '2026-01-01T00:00:00.001Z')"));
  CHECK(eval(t, "DATETIME_DIFF(NOW(), CREATED_TIME(), 'days') = 325"));
  // A record nobody edited was last modified when it was created.
  CHECK(eval(t, "LAST_MODIFIED_TIME() = CREATED_TIME()", 1));
  CHECK(eval(t, "LAST_MODIFIED_TIME({Name}) = BLANK()", 1));
}

TEST_CASE("LAST_MODIFIED_TIME takes field references only, CREATED_TIME nothing", "[local][formula]") {
  Table t = make_table();
  for (const std::string& bad : std::vector<std::string>{"LAST_MODIFIED_TIME('Name')", "LAST_MODIFIED_TIME(1)",
                                                         "LAST_MODIFIED_TIME({Nope})", "LAST_MODIFIED_TIME({Name} & '')",
                                                         "CREATED_TIME({Name})", "LAST_MODIFIED_TIME(", "CREATED_TIME"}) {
    INFO(bad);
    CHECK_FALSE(Formula::parse(bad, t).has_value());
  }
  CHECK(Formula::parse("last_modified_time()", t).has_value());  // names are case-insensitive
}

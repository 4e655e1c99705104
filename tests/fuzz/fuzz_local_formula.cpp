// libFuzzer target: any bytes as a filterByFormula must parse to a formula or an error, and a
// parsed formula must evaluate without crashing.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "formula.hpp"

using namespace airtable_local;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const Table table = [] {
    Table t;
    t.fields = {{"fld1", "Name", "singleLineText", "", {}, ""},
                {"fld2", "N", "number", "", {}, ""},
                {"fld3", "Seen", "dateTime", "", {}, ""},
                {"fld4", "Tags", "multipleSelects", "", {}, ""}};
    Record r{"recA", "2026-01-01T00:00:00.000Z", {}};
    r.cells["fld1"] = std::string("x");
    r.cells["fld2"] = 3.0;
    r.cells["fld3"] = std::string("2026-01-01T00:00:00.000Z");
    r.cells["fld4"] = std::vector<std::string>{"a", "b"};
    t.records.push_back(r);
    return t;
  }();
  auto formula = Formula::parse(std::string_view(reinterpret_cast<const char*>(data), size), table);
  if (formula) (void)formula->matches(table, table.records[0], SysTime{});
  return 0;
}

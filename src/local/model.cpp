#include "model.hpp"

#include <algorithm>

namespace airtable_local {

namespace {
template <typename Range, typename Pred>
auto find_ptr(Range& range, Pred pred) -> decltype(&*range.begin()) {
  auto it = std::find_if(range.begin(), range.end(), pred);
  return it == range.end() ? nullptr : &*it;
}
}  // namespace

Field* Table::find_field(std::string_view key) {
  // A name wins over an id, as in Airtable: a field may be named like another's id.
  if (auto* f = find_ptr(fields, [&](const Field& f) { return f.name == key; })) return f;
  return find_ptr(fields, [&](const Field& f) { return f.id == key; });
}

const Field* Table::find_field(std::string_view key) const {
  return const_cast<Table*>(this)->find_field(key);
}

Record* Table::find_record(std::string_view id) {
  return find_ptr(records, [&](const Record& r) { return r.id == id; });
}

const Record* Table::find_record(std::string_view id) const {
  return const_cast<Table*>(this)->find_record(id);
}

Table* Base::find_table(std::string_view key) {
  if (auto* t = find_ptr(tables, [&](const Table& t) { return t.id == key; })) return t;
  return find_ptr(tables, [&](const Table& t) { return t.name == key; });
}

Base* Store::find_base(std::string_view id) {
  return find_ptr(bases, [&](const Base& b) { return b.id == id; });
}

}  // namespace airtable_local

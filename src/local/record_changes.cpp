#include "record_changes.hpp"

namespace airtable_local {

std::vector<std::string> changed_field_ids(const std::map<std::string, Cell>& before,
                                           const std::map<std::string, Cell>& after) {
  // Both maps are ordered by field id: one merge walk finds every difference.
  std::vector<std::string> out;
  auto b = before.begin();
  auto a = after.begin();
  while (b != before.end() || a != after.end()) {
    if (a == after.end() || (b != before.end() && b->first < a->first)) {
      out.push_back(b->first);
      ++b;
    } else if (b == before.end() || a->first < b->first) {
      out.push_back(a->first);
      ++a;
    } else {
      if (!(b->second == a->second)) out.push_back(a->first);
      ++a;
      ++b;
    }
  }
  return out;
}

}  // namespace airtable_local

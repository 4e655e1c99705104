#include "airreg/formula.hpp"

namespace airreg::formula {

namespace {
std::string escape(std::string_view text, char special) {
  std::string out;
  out.reserve(text.size() + 2);
  for (char c : text) {
    if (c == '\\' || c == special) out += '\\';
    out += c;
  }
  return out;
}
}  // namespace

std::string quote(std::string_view text) { return "'" + escape(text, '\'') + "'"; }

std::string field(std::string_view name) { return "{" + escape(name, '}') + "}"; }

std::string equals(std::string_view field_name, std::string_view value) {
  return field(field_name) + " = " + quote(value);
}

}  // namespace airreg::formula

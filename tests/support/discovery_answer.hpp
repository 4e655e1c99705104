// What a discovery answered, as text to compare: every field of every model (and its raw
// JSON when kept), the skipped and the unclassified entries; or the error. For the tests and
// the fuzz target that check a listing read in pieces answers as the whole listing does.
#pragma once

#include <string>

#include "airreg/discovery.hpp"

namespace airreg::test {

inline std::string discovery_answer(const Result<DiscoveryResult>& result) {
  if (!result) return "error: " + result.error().message;
  std::string out;
  auto number = [](const auto& v) { return v ? std::to_string(*v) : std::string("-"); };
  for (const auto& m : result->models) {
    out += m.id + "|" + m.display_name + "|" + number(m.context_window) + "|" + number(m.max_output_tokens) + "|" +
           number(m.input_cost_per_1k) + "|" + number(m.output_cost_per_1k) + "|" + m.deprecation_date + "|";
    for (const auto& f : m.features) out += f + ",";
    out += "|" + m.raw_json + "\n";
  }
  for (const auto& s : result->skipped) out += "skipped " + s.id + ": " + s.reason + "\n";
  for (const auto& id : result->unclassified) out += "unclassified " + id + "\n";
  return out;
}

}  // namespace airreg::test

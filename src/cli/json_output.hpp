// What the commands' --json output shares: an indented RapidJSON writer and the way to write
// a std::string with it.
#pragma once

#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <string>

namespace airreg::cli {

using JsonWriter = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

inline void write_string(JsonWriter& w, const std::string& s) {
  w.String(s.c_str(), static_cast<rapidjson::SizeType>(s.size()));
}

}  // namespace airreg::cli

// A big provider listing made from a recorded one: its entries repeated, each with a new id
// ("<id>-<n>"), up to `entries`, under "data". For the tests and the benchmark that need a
// listing of megabytes with real entries.
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <string>

namespace airreg::test {

inline std::string repeated_listing(const std::string& recorded, int entries) {
  rapidjson::Document in;
  in.Parse(recorded.c_str());
  const auto& data = in["data"].GetArray();
  rapidjson::Document out(rapidjson::kObjectType);
  rapidjson::Value list(rapidjson::kArrayType);
  for (int i = 0; i < entries; ++i) {
    rapidjson::Value entry(data[static_cast<rapidjson::SizeType>(i) % data.Size()], out.GetAllocator());
    std::string id = std::string(entry["id"].GetString()) + "-" + std::to_string(i);
    entry["id"].SetString(id.c_str(), out.GetAllocator());
    list.PushBack(entry, out.GetAllocator());
  }
  out.AddMember("data", list, out.GetAllocator());
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  out.Accept(w);
  return std::string(buffer.GetString(), buffer.GetSize());
}

}  // namespace airreg::test

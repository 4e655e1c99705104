#include "fleet/notice_codec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include "json/member.hpp"

namespace airreg::fleet {

std::string encode_notice(const Notice& n) {
  rapidjson::StringBuffer buffer;
  rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
  w.StartObject();
  json::member(w, "kind", n.kind == Notice::Kind::changed ? "changed" : "snapshot");
  json::member(w, "origin", n.origin);
  json::key(w, "providers");
  w.StartArray();
  for (const auto& p : n.providers) json::value(w, p);
  w.EndArray();
  json::member(w, "seq", n.seq);
  w.EndObject();
  return std::string(buffer.GetString(), buffer.GetSize());
}

std::optional<Notice> decode_notice(std::string_view message) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (parser.parse(message.data(), message.size()).get(root) != simdjson::SUCCESS) return std::nullopt;
  std::string_view kind;
  std::string_view origin;
  if (root["kind"].get(kind) != simdjson::SUCCESS || root["origin"].get(origin) != simdjson::SUCCESS) return std::nullopt;
  Notice n;
  if (kind == "changed") {
    n.kind = Notice::Kind::changed;
  } else if (kind == "snapshot") {
    n.kind = Notice::Kind::snapshot;
  } else {
    return std::nullopt;
  }
  n.origin = std::string(origin);
  simdjson::dom::array providers;
  if (root["providers"].get(providers) == simdjson::SUCCESS) {
    for (auto p : providers) {
      std::string_view name;
      if (p.get(name) == simdjson::SUCCESS) n.providers.emplace_back(name);
    }
  }
  uint64_t seq = 0;
  if (root["seq"].get(seq) == simdjson::SUCCESS) n.seq = seq;
  return n;
}

}  // namespace airreg::fleet

#include "fake_airtable.hpp"

#include <simdjson.h>

#include <algorithm>

#include "json/fields_json.hpp"
#include "json/member.hpp"

namespace airreg::test {

namespace {

HttpResponse answer(int status, std::string body) { return HttpResponse{status, {}, std::move(body)}; }

std::string error_body(const char* type, const char* message) {
  return std::string(R"({"error":{"type":")") + type + R"(","message":")" + message + R"("}})";
}

}  // namespace

void FakeAirtable::script(std::vector<Scripted> next) {
  std::lock_guard lock(mutex_);
  script_.insert(script_.end(), next.begin(), next.end());
}

std::vector<FakeAirtable::Seen> FakeAirtable::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

std::map<std::string, Fields> FakeAirtable::rows() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, Fields> out;
  for (const auto& [key, row] : rows_) out[key] = row.second;
  return out;
}

size_t FakeAirtable::upserts_applied() const {
  std::lock_guard lock(mutex_);
  return applied_;
}

Result<HttpResponse> FakeAirtable::send(const HttpRequest& request) {
  std::lock_guard lock(mutex_);
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  simdjson::dom::array records;
  size_t n = 0;
  if (parser.parse(request.body).get(doc) == simdjson::SUCCESS && doc["records"].get(records) == simdjson::SUCCESS)
    n = records.size();
  seen_.push_back(Seen{request.method, request.url, n, clock_.now()});
  if (!script_.empty()) {
    Scripted s = script_.front();
    script_.pop_front();
    if (s.apply) serve(request);
    if (s.failure) return std::unexpected(make_error(*s.failure, "scripted failure", true));
    HttpResponse r = answer(s.status, s.status == 429 ? error_body("RATE_LIMIT_REACHED", "slow down")
                                      : s.status >= 500 ? error_body("SERVER_ERROR", "scripted")
                                      : s.status >= 400 ? error_body("AUTHENTICATION_REQUIRED", "scripted")
                                                        : R"({"records":[],"createdRecords":[],"updatedRecords":[]})");
    if (!s.retry_after.empty()) r.headers.emplace_back("Retry-After", s.retry_after);
    return r;
  }
  return serve(request);
}

HttpResponse FakeAirtable::list_rows() const {
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  w.StartObject();
  w.Key("records");
  w.StartArray();
  for (const auto& [key, row] : rows_) {
    w.StartObject();
    json::member(w, "id", row.first);
    json::key(w, "fields");
    json::write_fields(w, row.second);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  return answer(200, json::to_string(buffer));
}

void FakeAirtable::person_edits(const std::string& key, const Fields& cells) {
  std::lock_guard lock(mutex_);
  for (const auto& [name, value] : cells) rows_[key].second[name] = value;
}

HttpResponse FakeAirtable::serve(const HttpRequest& request) {
  if (request.method == "GET") return list_rows();
  simdjson::dom::parser parser;
  simdjson::dom::element doc;
  if (parser.parse(request.body).get(doc) != simdjson::SUCCESS) return answer(422, error_body("INVALID_REQUEST_UNKNOWN", "bad JSON"));
  std::vector<std::string> merge_on;
  simdjson::dom::array merge;
  if (doc["performUpsert"]["fieldsToMergeOn"].get(merge) == simdjson::SUCCESS)
    for (auto m : merge) merge_on.emplace_back(std::string_view(m));
  std::vector<Fields> incoming;
  for (auto r : doc["records"].get_array()) incoming.push_back(json::fields_from(r["fields"].get_object()));
  for (const auto& f : incoming) {
    if (auto bad = f.find("Bad"); bad != f.end() && bad->second == FieldValue(true))
      return answer(422, error_body("INVALID_RECORDS", "this record is refused"));
    if (auto refuse = f.find("Refuse"); refuse != f.end()) {
      const std::string& type = std::get<std::string>(refuse->second);
      if (type == "INVALID_VALUE_FOR_COLUMN")
        return answer(422, error_body("INVALID_VALUE_FOR_COLUMN", "Field \\\"Refuse\\\" cannot accept the provided value"));
      return answer(422, error_body(type.c_str(), "Unknown field name: \\\"Refuse\\\""));
    }
  }
  if (merge_on.empty()) {  // updates by record id
    std::vector<std::string> ids;
    for (auto r : doc["records"].get_array()) ids.emplace_back(std::string_view(r["id"].get_string().value_unsafe()));
    for (size_t i = 0; i < ids.size(); ++i) {
      auto row = std::find_if(rows_.begin(), rows_.end(), [&](const auto& kv) { return kv.second.first == ids[i]; });
      if (row == rows_.end()) return answer(404, error_body("NOT_FOUND", "Could not find a record"));
    }
    ++applied_;
    for (size_t i = 0; i < ids.size(); ++i) {
      auto row = std::find_if(rows_.begin(), rows_.end(), [&](const auto& kv) { return kv.second.first == ids[i]; });
      for (auto& [name, value] : incoming[i]) row->second.second[name] = value;
    }
    return list_rows();
  }
  ++applied_;
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  std::vector<std::string> created, updated;
  w.StartObject();
  w.Key("records");
  w.StartArray();
  for (auto& f : incoming) {
    std::string key;
    for (const auto& m : merge_on) key += (key.empty() ? "" : "/") + std::get<std::string>(f.at(m));
    auto [it, fresh] = rows_.try_emplace(key, "rec" + std::to_string(rows_.size() + 1), Fields{});
    for (auto& [name, value] : f) it->second.second[name] = value;
    (fresh ? created : updated).push_back(it->second.first);
    w.StartObject();
    json::member(w, "id", it->second.first);
    json::key(w, "fields");
    json::write_fields(w, it->second.second);
    w.EndObject();
  }
  w.EndArray();
  w.Key("createdRecords");
  w.StartArray();
  for (const auto& id : created) json::write_string(w, id);
  w.EndArray();
  w.Key("updatedRecords");
  w.StartArray();
  for (const auto& id : updated) json::write_string(w, id);
  w.EndArray();
  w.EndObject();
  return answer(200, json::to_string(buffer));
}

}  // namespace airreg::test

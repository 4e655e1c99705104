#include "registry/snapshot_codec.hpp"

#include "core/time_text.hpp"
#include "json/fields_json.hpp"
#include "json/member.hpp"
#include "providers/listing_pieces.hpp"

namespace airreg::registry {

void write_snapshot(const TableSnapshot& s, const Columns& columns, const std::function<void(std::string_view)>& out) {
  std::map<std::string, std::string> key_of;  // cell -> key
  for (const auto& f : columns.schema().fields) key_of[columns.cell(f.key)] = f.key;
  rapidjson::StringBuffer buffer;
  json::Writer w(buffer);
  // The writer keeps its place in the document, not in the buffer: the buffer is handed on
  // and emptied between records.
  auto hand_on = [&] {
    out(std::string_view(buffer.GetString(), buffer.GetSize()));
    buffer.Clear();
  };
  w.StartObject();
  json::member(w, "version", s.version);
  json::member(w, "read_at", core::format_utc(s.read_at));
  json::member(w, "full_read_at", core::format_utc(s.full_read_at));
  json::member(w, "history_read_at", core::format_utc(s.history_read_at));
  json::key(w, "warnings");
  w.StartArray();
  for (const auto& warning : s.warnings) json::value(w, warning);
  w.EndArray();
  json::key(w, "last_listed");
  w.StartObject();
  for (const auto& [provider, when] : s.last_listed) {
    json::write_string(w, provider);
    json::write_string(w, core::format_utc(when));
  }
  w.EndObject();
  json::key(w, "last_runs");
  w.StartArray();
  for (const auto& run : s.last_runs) {
    w.StartObject();
    json::member(w, "provider", run.provider);
    json::member(w, "category", to_string(run.category));
    json::member(w, "outcome", to_string(run.outcome));
    json::member(w, "finished", core::format_utc(run.finished));
    w.EndObject();
  }
  w.EndArray();
  json::key(w, "records");
  w.StartArray();
  for (size_t i = 0; i < s.records.size(); ++i) {
    auto r = s.records.record(i);
    Fields by_key;
    for (const auto& [cell, value] : r.fields)
      if (auto k = key_of.find(cell); k != key_of.end()) by_key[k->second] = value;
    w.StartObject();
    json::member(w, "id", r.id);
    json::key(w, "fields");
    json::write_fields(w, by_key);
    w.EndObject();
    if (buffer.GetSize() >= kSnapshotPieceBytes) hand_on();
  }
  w.EndArray();
  w.EndObject();
  hand_on();
}

std::string encode_snapshot(const TableSnapshot& s, const Columns& columns) {
  std::string text;
  write_snapshot(s, columns, [&](std::string_view piece) { text += piece; });
  return text;
}

namespace {

// The members before "records" (warnings, last_listed, ...): false when the root lacks
// last_listed, which every snapshot airreg writes has.
bool read_root(simdjson::dom::object root, TableSnapshot& s) {
  simdjson::dom::object listed;
  if (root["last_listed"].get(listed) != simdjson::SUCCESS) return false;
  // Snapshots of airreg before 0.2 have neither: the store's columns stand in.
  uint64_t version = 0;
  if (root["version"].get(version) == simdjson::SUCCESS) s.version = version;
  std::string_view read_at;
  if (root["read_at"].get(read_at) == simdjson::SUCCESS) s.read_at = core::parse_utc(read_at).value_or(SystemTime{});
  // Snapshots before revalidation: read whole, with the history, when they were read.
  s.full_read_at = s.history_read_at = s.read_at;
  if (root["full_read_at"].get(read_at) == simdjson::SUCCESS) s.full_read_at = core::parse_utc(read_at).value_or(s.read_at);
  if (root["history_read_at"].get(read_at) == simdjson::SUCCESS) s.history_read_at = core::parse_utc(read_at).value_or(s.read_at);
  simdjson::dom::array warnings;
  if (root["warnings"].get(warnings) == simdjson::SUCCESS)
    for (auto w : warnings) {
      std::string_view text;
      if (w.get(text) == simdjson::SUCCESS) s.warnings.emplace_back(text);
    }
  simdjson::dom::array runs;
  if (root["last_runs"].get(runs) == simdjson::SUCCESS)
    for (auto run : runs) {
      auto outcome = parse_outcome(json::text_at(run, "outcome"));
      auto finished = core::parse_utc(json::text_at(run, "finished"));
      if (!outcome || !finished) continue;
      s.last_runs.push_back(LastSync{json::text_at(run, "provider"),
                                     json::text_at(run, "category") == "tts" ? ModelCategory::tts : ModelCategory::text,
                                     *outcome, *finished});
    }
  for (auto [provider, when] : listed) {
    std::string_view text;
    if (when.get(text) != simdjson::SUCCESS) continue;
    if (auto t = core::parse_utc(text)) s.last_listed[std::string(provider)] = *t;
  }
  return true;
}

void read_records(simdjson::dom::array records, const Columns& columns, TableSnapshot& s) {
  for (auto r : records) {
    simdjson::dom::object fields;
    if (r["fields"].get(fields) != simdjson::SUCCESS) continue;
    Fields by_cell;
    for (auto& [key, value] : json::fields_from(fields))
      if (columns.schema().find(key)) by_cell[columns.cell(key)] = std::move(value);
    s.records.add(AirtableRecord{json::text_at(r, "id"), "", std::move(by_cell)});
  }
}

// Its records read in pieces by a thread's small parser (providers/listing_pieces.hpp):
// parsed whole, 10,000 records (about 5 MB) took simdjson's buffers for the whole text. Nothing
// when the pieces are abandoned (the whole read says why).
std::optional<TableSnapshot> read_in_pieces(std::string& body, const Columns& columns, size_t piece_bytes) {
  TableSnapshot s;
  bool first = true;
  auto outcome = providers::read_list_in_pieces(
      "the snapshot", body, "records", piece_bytes, [&](providers::JsonListing& piece, providers::array& list, size_t) {
        if (first) {
          first = false;
          auto root = piece.root_object();
          if (!root || !read_root(*root, s)) return false;
        } else if (auto members = piece.root_members(); members && *members != 1) {
          return false;  // the last piece: members after "records" are read by the whole parse
        }
        read_records(list, columns, s);
        return true;
      });
  if (outcome != providers::PiecesOutcome::read) return std::nullopt;
  return s;
}

}  // namespace

std::optional<TableSnapshot> decode_snapshot(std::string body, const Columns& columns, std::string* why, size_t piece_bytes) {
  auto s = read_in_pieces(body, columns, piece_bytes);
  if (!s) {
    simdjson::dom::parser parser;
    simdjson::dom::object root;
    simdjson::dom::array records;
    s.emplace();
    if (parser.parse(body.data(), body.size()).get(root) != simdjson::SUCCESS ||
        root["records"].get(records) != simdjson::SUCCESS || !read_root(root, *s)) {
      if (why) *why = "the snapshot is not the JSON airreg writes";
      return std::nullopt;
    }
    read_records(records, columns, *s);
  }
  s->parse_records(columns);
  return s;
}

}  // namespace airreg::registry

// airtable-local over real loopback HTTP: records, meta, formulas, errors, paging,
// persistence, the rate limit, the monthly quota and whoami.
#include <catch2/catch.hpp>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <thread>

#include "local_api.hpp"

using airreg::test::Answer;
using airreg::test::LocalApi;
using airreg::test::LocalServer;

namespace {

const char* kTableBody = R"({"name":"Models","description":"test","fields":[
  {"name":"Key","type":"singleLineText"},
  {"name":"Notes","type":"multilineText"},
  {"name":"Tokens","type":"number","options":{"precision":0}},
  {"name":"On","type":"checkbox","options":{"icon":"check","color":"greenBright"}},
  {"name":"Day","type":"date","options":{"dateFormat":{"name":"iso"}}},
  {"name":"Seen","type":"dateTime","options":{"dateFormat":{"name":"iso"},"timeFormat":{"name":"24hour"},"timeZone":"utc"}},
  {"name":"Status","type":"singleSelect","options":{"choices":[{"name":"pending","color":"grayLight2"},{"name":"active"}]}},
  {"name":"Features","type":"multipleSelects","options":{"choices":[{"name":"chat"},{"name":"vision"}]}},
  {"name":"Link","type":"url"},
  {"name":"Mail","type":"email"}]})";

simdjson::dom::element parse(simdjson::dom::parser& p, const Answer& a) {
  INFO(a.body);
  auto doc = p.parse(a.body);
  REQUIRE(doc.error() == simdjson::SUCCESS);
  return doc.value();
}

std::string make_table(LocalApi& api) {
  Answer a = api.post(LocalApi::meta_path(), kTableBody);
  REQUIRE(a.status == 200);
  simdjson::dom::parser p;
  return std::string(std::string_view(parse(p, a)["id"]));
}

std::string field_of(const Answer& a, size_t index, const char* field) {
  simdjson::dom::parser p;
  std::string_view v;
  if (p.parse(a.body)["records"].at(index)["fields"][field].get(v) != simdjson::SUCCESS) return "<none>";
  return std::string(v);
}

size_t record_count(const Answer& a) {
  simdjson::dom::parser p;
  simdjson::dom::array arr;
  if (p.parse(a.body)["records"].get(arr) != simdjson::SUCCESS) return 0;
  return arr.size();
}

void add_numbered(LocalApi& api, int from, int to) {
  for (int start = from; start < to; start += 10) {
    std::string body = R"({"records":[)";
    for (int i = start; i < std::min(start + 10, to); ++i)
      body += (i > start ? "," : "") + std::string(R"({"fields":{"Key":"m)") + std::to_string(i) +
              R"(","Tokens":)" + std::to_string(i) + "}}";
    body += "]}";
    REQUIRE(api.post(LocalApi::table_path("Models"), body).status == 200);
  }
}

// Now as Airtable writes times, to the millisecond: 2026-12-03T10:00:00.000Z.
std::string iso_now() {
  auto now = std::chrono::time_point_cast<std::chrono::milliseconds>(std::chrono::system_clock::now());
  std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%S", &utc);
  char millis[8];
  std::snprintf(millis, sizeof millis, ".%03dZ", static_cast<int>(now.time_since_epoch().count() % 1000));
  return std::string(text) + millis;
}

// The Keys of the records a formula selects, sorted.
std::vector<std::string> keys_where(LocalApi& api, const std::string& formula) {
  Answer a = api.get(LocalApi::table_path("Models", "filterByFormula=" + LocalApi::encode(formula)));
  INFO(formula << " -> " << a.body);
  REQUIRE(a.status == 200);
  simdjson::dom::parser p;
  std::vector<std::string> keys;
  for (auto record : p.parse(a.body)["records"].get_array()) {
    std::string_view key;
    keys.emplace_back(record["fields"]["Key"].get(key) == simdjson::SUCCESS ? key : "<none>");
  }
  std::sort(keys.begin(), keys.end());
  return keys;
}

std::string id_of(LocalApi& api, const std::string& key) {
  Answer a = api.get(LocalApi::table_path("Models", "filterByFormula=" + LocalApi::encode("{Key} = '" + key + "'")));
  simdjson::dom::parser p;
  std::string_view id;
  REQUIRE(p.parse(a.body)["records"].at(0)["id"].get(id) == simdjson::SUCCESS);
  return std::string(id);
}

}  // namespace

TEST_CASE("the meta API creates a table whose first field is primary and lists it", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  CHECK(api.get(LocalApi::meta_path()).body == R"({"tables":[]})");
  std::string table_id = make_table(api);
  CHECK(table_id.rfind("tbl", 0) == 0);
  CHECK(table_id.size() == 17);

  simdjson::dom::parser p;
  auto tables = parse(p, api.get(LocalApi::meta_path()))["tables"];
  auto table = tables.at(0);
  CHECK(std::string_view(table["name"]) == "Models");
  CHECK(std::string_view(table["primaryFieldId"]) == std::string_view(table["fields"].at(0)["id"]));
  CHECK(std::string_view(table["fields"].at(2)["type"]) == "number");
  CHECK(int64_t(table["fields"].at(2)["options"]["precision"]) == 0);
  CHECK(std::string_view(table["fields"].at(6)["options"]["choices"].at(0)["id"]).substr(0, 3) == "sel");
  CHECK(std::string_view(table["views"].at(0)["type"]) == "grid");

  SECTION("fields are added, renamed and described; names stay unique") {
    Answer added = api.post(LocalApi::meta_path("/" + table_id + "/fields"),
                            R"({"name":"Extra","type":"singleLineText","description":"d"})");
    REQUIRE(added.status == 200);
    simdjson::dom::parser fp;
    std::string field_id(std::string_view(parse(fp, added)["id"]));
    Answer renamed = api.patch(LocalApi::meta_path("/" + table_id + "/fields/" + field_id),
                               R"({"name":"Renamed","description":"[airreg:extra]"})");
    CHECK(renamed.status == 200);
    CHECK(renamed.body.find("[airreg:extra]") != std::string::npos);
    CHECK(api.post(LocalApi::meta_path("/" + table_id + "/fields"), R"({"name":"Key","type":"singleLineText"})")
              .error_type() == "DUPLICATE_OR_EMPTY_FIELD_NAME");
    CHECK(api.post(LocalApi::meta_path("/" + table_id + "/fields"), R"({"name":"N2","type":"number"})")
              .error_type() == "INVALID_FIELD_TYPE_OPTIONS_FOR_CREATE");
    CHECK(api.post(LocalApi::meta_path("/" + table_id + "/fields"), R"({"name":"F","type":"formula"})")
              .error_type() == "UNSUPPORTED_FIELD_TYPE_FOR_CREATE");
    CHECK(api.post(LocalApi::meta_path(), kTableBody).error_type() == "DUPLICATE_TABLE_NAME");
  }
}

TEST_CASE("records are created, read, updated, replaced and deleted", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  std::string table_id = make_table(api);

  Answer created = api.post(LocalApi::table_path("Models"),
                            R"({"records":[{"fields":{"Key":"a","Notes":"n","Tokens":5,"On":true,"Day":"2026-01-02",
                                "Seen":"2026-01-02T03:04:05+01:00","Status":"active","Features":["chat","vision"],
                                "Link":"https://x","Mail":"a@b.co"}},{"fields":{"Key":"b","On":false,"Notes":""}}]})");
  REQUIRE(created.status == 200);
  simdjson::dom::parser p;
  auto recs = parse(p, created)["records"];
  std::string id_a(std::string_view(recs.at(0)["id"]));
  std::string id_b(std::string_view(recs.at(1)["id"]));
  CHECK(std::string_view(recs.at(0)["fields"]["Seen"]) == "2026-01-02T02:04:05.000Z");
  // Empty values are left out, as Airtable does.
  CHECK(recs.at(1)["fields"]["On"].error() == simdjson::NO_SUCH_FIELD);
  CHECK(recs.at(1)["fields"]["Notes"].error() == simdjson::NO_SUCH_FIELD);

  // A single record, by table id as well as by name.
  Answer one = api.get("/v0/" + std::string(LocalServer::kBase) + "/" + table_id + "/" + id_a);
  CHECK(one.status == 200);
  CHECK(one.body.find(R"("Key":"a")") != std::string::npos);
  Answer single = api.post(LocalApi::table_path("Models"), R"({"fields":{"Key":"c"}})");
  CHECK(single.status == 200);
  CHECK(single.body.rfind(R"({"id":"rec)", 0) == 0);

  // PATCH keeps unlisted fields; PUT clears them.
  Answer patched = api.patch(LocalApi::table_path("Models"), R"({"records":[{"id":")" + id_a + R"(","fields":{"Tokens":6}}]})");
  CHECK(field_of(patched, 0, "Key") == "a");
  Answer replaced = api.put(LocalApi::table_path("Models"), R"({"records":[{"id":")" + id_a + R"(","fields":{"Tokens":7}}]})");
  CHECK(field_of(replaced, 0, "Key") == "<none>");
  Answer patched_one = api.patch(LocalApi::table_path("Models") + "/" + id_b, R"({"fields":{"Notes":"x"}})");
  CHECK(patched_one.status == 200);

  Answer deleted = api.del(LocalApi::table_path("Models", "records[]=" + id_a + "&records[]=" + id_b));
  CHECK(deleted.status == 200);
  CHECK(deleted.body.find(R"("deleted":true)") != std::string::npos);
  CHECK(api.get(LocalApi::table_path("Models") + "/" + id_a).status == 404);
  CHECK(record_count(api.get(LocalApi::table_path("Models"))) == 1);
}

TEST_CASE("every kind of bad write is refused whole with Airtable's 422 type", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  auto path = LocalApi::table_path("Models");
  CHECK(api.post(path, R"({"records":[{"fields":{"Nope":1}}]})").error_type() == "UNKNOWN_FIELD_NAME");
  Answer bad_value = api.post(path, R"({"records":[{"fields":{"Key":"ok"}},{"fields":{"Tokens":"many"}}]})");
  CHECK(bad_value.status == 422);
  CHECK(bad_value.error_type() == "INVALID_VALUE_FOR_COLUMN");
  CHECK(bad_value.body.find("Tokens") != std::string::npos);
  CHECK(api.post(path, R"({"records":[{"fields":{"Seen":"yesterday"}}]})").error_type() == "INVALID_VALUE_FOR_COLUMN");
  CHECK(api.post(path, R"({"records":[{"fields":{"Mail":"not-an-email"}}]})").error_type() == "INVALID_VALUE_FOR_COLUMN");
  CHECK(api.post(path, R"({"records":[{"fields":{"Features":["chat","audio"]}}]})").error_type() ==
        "INVALID_MULTIPLE_CHOICE_OPTIONS");
  CHECK(api.post(path, R"({"records":[{"fields":{"Status":"weird"}}]})").error_type() == "INVALID_MULTIPLE_CHOICE_OPTIONS");
  std::string eleven = R"({"records":[)";
  for (int i = 0; i < 11; ++i) eleven += std::string(i ? "," : "") + R"({"fields":{}})";
  CHECK(api.post(path, eleven + "]}").error_type() == "INVALID_RECORDS");
  CHECK(api.post(path, R"({"records":[{"fie)").error_type() == "INVALID_REQUEST_UNKNOWN");
  // Nothing above was half-applied.
  CHECK(record_count(api.get(path)) == 0);

  // typecast converts and adds the missing choice.
  Answer cast = api.post(path, R"({"typecast":true,"records":[{"fields":{"Tokens":"12","Features":["audio"],"Status":"new"}}]})");
  CHECK(cast.status == 200);
  CHECK(api.get(LocalApi::meta_path()).body.find(R"("name":"audio")") != std::string::npos);
}

TEST_CASE("listing pages through 250 records with offsets, pageSize and maxRecords", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  add_numbered(api, 0, 250);
  std::string offset;
  std::vector<size_t> pages;
  do {
    Answer a = api.get(LocalApi::table_path("Models", offset.empty() ? "" : "offset=" + LocalApi::encode(offset)));
    REQUIRE(a.status == 200);
    pages.push_back(record_count(a));
    simdjson::dom::parser p;
    std::string_view next;
    offset = p.parse(a.body)["offset"].get(next) == simdjson::SUCCESS ? std::string(next) : "";
  } while (!offset.empty());
  CHECK(pages == std::vector<size_t>{100, 100, 50});

  CHECK(record_count(api.get(LocalApi::table_path("Models", "pageSize=7"))) == 7);
  Answer capped = api.get(LocalApi::table_path("Models", "maxRecords=3"));
  CHECK(record_count(capped) == 3);
  CHECK(capped.body.find("offset") == std::string::npos);
  CHECK(api.get(LocalApi::table_path("Models", "pageSize=101")).status == 422);
  CHECK(api.get(LocalApi::table_path("Models", "offset=garbage")).error_type() == "INVALID_OFFSET_VALUE");
}

TEST_CASE("filterByFormula, sort, fields[] and returnFieldsByFieldId shape the listing", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  add_numbered(api, 0, 30);
  auto q = [&](const std::string& query) { return api.get(LocalApi::table_path("Models", query)); };
  CHECK(record_count(q("filterByFormula=" + LocalApi::encode("AND({Tokens} >= 10, {Tokens} < 20)"))) == 10);
  CHECK(record_count(q("filterByFormula=" + LocalApi::encode("{Key} = 'm7'"))) == 1);
  CHECK(record_count(q("filterByFormula=" + LocalApi::encode("{Key} = 'it''s'"))) == 0);
  CHECK(q("filterByFormula=" + LocalApi::encode("AND(")).error_type() == "INVALID_FILTER_BY_FORMULA");
  CHECK(q("filterByFormula=" + LocalApi::encode("{Missing} = 1")).error_type() == "INVALID_FILTER_BY_FORMULA");

  Answer sorted = q(LocalApi::encode("sort[0][field]") + "=Tokens&" + LocalApi::encode("sort[0][direction]") + "=desc&maxRecords=2");
  CHECK(field_of(sorted, 0, "Key") == "m29");
  Answer only = q(LocalApi::encode("fields[]") + "=Key&maxRecords=1");
  CHECK(only.body.find("Tokens") == std::string::npos);
  CHECK(q(LocalApi::encode("fields[]") + "=Nope").error_type() == "UNKNOWN_FIELD_NAME");
  Answer by_id = q("returnFieldsByFieldId=true&maxRecords=1");
  CHECK(by_id.body.find(R"("fld)") != std::string::npos);

  // POST listRecords takes the same options in its body.
  Answer posted = api.post(LocalApi::table_path("Models") + "/listRecords",
                           R"({"filterByFormula":"{Tokens} < 5","sort":[{"field":"Tokens","direction":"desc"}],"fields":["Key"]})");
  CHECK(record_count(posted) == 5);
  CHECK(field_of(posted, 0, "Key") == "m4");
}

TEST_CASE("upserts create, update, and refuse several matches", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  auto path = LocalApi::table_path("Models");
  std::string upsert = R"({"performUpsert":{"fieldsToMergeOn":["Key","Tokens"]},"records":[{"fields":{"Key":"a","Tokens":1,"Notes":"one"}},{"fields":{"Key":"b","Tokens":2}}]})";
  Answer first = api.patch(path, upsert);
  REQUIRE(first.status == 200);
  simdjson::dom::parser p;
  CHECK(parse(p, first)["createdRecords"].get_array().size() == 2);
  Answer second = api.patch(path, R"({"performUpsert":{"fieldsToMergeOn":["Key","Tokens"]},"records":[{"fields":{"Key":"a","Tokens":1,"Notes":"two"}}]})");
  simdjson::dom::parser p2;
  auto doc = parse(p2, second);
  CHECK(doc["updatedRecords"].get_array().size() == 1);
  CHECK(doc["createdRecords"].get_array().size() == 0);
  CHECK(record_count(api.get(path)) == 2);

  api.post(path, R"({"records":[{"fields":{"Key":"a","Tokens":9}},{"fields":{"Key":"a","Tokens":9}}]})");
  CHECK(api.patch(path, R"({"performUpsert":{"fieldsToMergeOn":["Key"]},"records":[{"fields":{"Key":"a"}}]})").status == 422);
  CHECK(api.patch(path, R"({"performUpsert":{"fieldsToMergeOn":[]},"records":[{"fields":{"Key":"z"}}]})").status == 422);
  CHECK(api.patch(path, R"({"performUpsert":{"fieldsToMergeOn":["a","b","c","d"]},"records":[{"fields":{"Key":"z"}}]})").status == 422);
}

TEST_CASE("authentication, unknown bases, tables, records and routes answer as Airtable does", "[airtable-local]") {
  LocalServer server({"--rate-limit", "0", "--token", "good"});
  LocalApi good(server, "good");
  LocalApi bad(server, "bad");
  LocalApi none(server, "");
  make_table(good);
  CHECK(none.get(LocalApi::table_path("Models")).status == 401);
  CHECK(bad.get(LocalApi::table_path("Models")).error_type() == "AUTHENTICATION_REQUIRED");
  CHECK(good.get("/v0/appNOSUCHBASE0000/Models").error_type() == "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND");
  CHECK(good.get(LocalApi::table_path("Nope")).status == 403);
  CHECK(good.get(LocalApi::table_path("Models") + "/recNOSUCHRECORD00").status == 404);
  Answer route = good.get("/v9/whatever");
  CHECK(route.status == 404);
  CHECK(route.body == R"({"error":"NOT_FOUND"})");
}

TEST_CASE("the rate limit refuses the request over N per second and then the whole penalty", "[airtable-local]") {
  LocalServer server({"--rate-limit", "5", "--penalty-seconds", "1"});
  LocalApi api(server);
  std::vector<int> statuses;
  for (int i = 0; i < 7; ++i) statuses.push_back(api.get(LocalApi::meta_path()).status);
  // The first five pass; the sixth trips the limit; the seventh falls in the penalty.
  CHECK(statuses == std::vector<int>{200, 200, 200, 200, 200, 429, 429});
  CHECK(api.get(LocalApi::meta_path()).error_type() == "RATE_LIMIT_REACHED");
  std::this_thread::sleep_for(std::chrono::milliseconds(1300));
  CHECK(api.get(LocalApi::meta_path()).status == 200);
}

TEST_CASE("data survives a restart", "[airtable-local]") {
  LocalServer server;
  {
    LocalApi api(server);
    make_table(api);
    add_numbered(api, 0, 12);
  }
  server.restart();
  LocalApi api(server);
  CHECK(record_count(api.get(LocalApi::table_path("Models"))) == 12);
  CHECK(api.get(LocalApi::meta_path()).body.find("Models") != std::string::npos);
}

TEST_CASE("hostile input gets an error answer and the server stays up", "[airtable-local]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  auto path = LocalApi::table_path("Models");
  CHECK(api.post(path, std::string(5000, '[') + std::string(5000, ']')).status == 422);
  CHECK(api.post(path, "{\"records\":[{\"fields\":{\"Key\":\"\xff\xfe\"}}]}").status == 422);
  CHECK(api.post(path, std::string(17 * 1024 * 1024, 'x')).status == 413);
  CHECK(api.get(path + "?filterByFormula=%ZZ%&&==&sort[x]=" + std::string(3000, '%')).status != 0);
  CHECK(api.get(path + "?filterByFormula=" + LocalApi::encode(std::string(1000, '('))).error_type() ==
        "INVALID_FILTER_BY_FORMULA");
  CHECK(api.get(LocalApi::meta_path()).status == 200);
}

TEST_CASE("LAST_MODIFIED_TIME() finds exactly the records whose cells changed after a time", "[airtable-local][modified]") {
  LocalServer server;
  LocalApi api(server);
  make_table(api);
  add_numbered(api, 0, 6);  // m0..m5, Tokens 0..5
  std::string m0 = id_of(api, "m0"), m1 = id_of(api, "m1"), m2 = id_of(api, "m2"), m3 = id_of(api, "m3");
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const std::string since = iso_now();
  std::this_thread::sleep_for(std::chrono::milliseconds(20));

  auto path = LocalApi::table_path("Models");
  // Changed: a new value, a cleared cell, an upserted note, a new record.
  REQUIRE(api.patch(path, R"({"records":[{"id":")" + m1 + R"(","fields":{"Tokens":100}}]})").status == 200);
  REQUIRE(api.patch(path + "/" + m0, R"({"fields":{"Tokens":null}})").status == 200);
  REQUIRE(api.patch(path, R"({"performUpsert":{"fieldsToMergeOn":["Key"]},"records":[
      {"fields":{"Key":"m4","Tokens":4}},{"fields":{"Key":"m5","Notes":"new"}}]})").status == 200);
  REQUIRE(api.post(path, R"({"fields":{"Key":"m6","Tokens":6}})").status == 200);
  // Written with the values they already hold: not changed.
  REQUIRE(api.patch(path, R"({"records":[{"id":")" + m2 + R"(","fields":{"Tokens":2,"Notes":""}}]})").status == 200);
  REQUIRE(api.put(path + "/" + m3, R"({"fields":{"Key":"m3","Tokens":3}})").status == 200);

  const std::string after = "DATETIME_PARSE('" + since + "')";
  using Keys = std::vector<std::string>;
  CHECK(keys_where(api, "IS_AFTER(LAST_MODIFIED_TIME(), " + after + ")") == Keys{"m0", "m1", "m5", "m6"});
  CHECK(keys_where(api, "LAST_MODIFIED_TIME() > " + after) == Keys{"m0", "m1", "m5", "m6"});
  CHECK(keys_where(api, "IS_BEFORE(LAST_MODIFIED_TIME(), " + after + ")") == Keys{"m2", "m3", "m4"});
  // Only the named fields count; by name or by field id.
  CHECK(keys_where(api, "IS_AFTER(LAST_MODIFIED_TIME({Notes}), " + after + ")") == Keys{"m5"});
  simdjson::dom::parser p;
  auto fields = parse(p, api.get(LocalApi::meta_path()))["tables"].at(0)["fields"];
  std::string tokens_id(std::string_view(fields.at(2)["id"]));
  CHECK(keys_where(api, "IS_AFTER(LAST_MODIFIED_TIME({" + tokens_id + "}, {Notes}), " + after + ")") ==
        Keys{"m0", "m1", "m5", "m6"});
  CHECK(keys_where(api, "IS_AFTER(CREATED_TIME(), " + after + ")") == Keys{"m6"});
  CHECK(keys_where(api, "DATETIME_DIFF(LAST_MODIFIED_TIME(), CREATED_TIME(), 'ms') > 0") == Keys{"m0", "m1", "m5"});
  CHECK(api.get(LocalApi::table_path("Models", "filterByFormula=" + LocalApi::encode("LAST_MODIFIED_TIME('x')")))
            .error_type() == "INVALID_FILTER_BY_FORMULA");

  // The times are kept in the data file.
  server.restart();
  LocalApi again(server);
  CHECK(keys_where(again, "IS_AFTER(LAST_MODIFIED_TIME(), " + after + ")") == Keys{"m0", "m1", "m5", "m6"});
  CHECK(keys_where(again, "IS_AFTER(CREATED_TIME(), " + after + ")") == Keys{"m6"});
}

TEST_CASE("--monthly-quota answers 429 PUBLIC_API_BILLING_LIMIT_EXCEEDED after N calls, across restarts", "[airtable-local][quota]") {
  LocalServer server({"--rate-limit", "0", "--monthly-quota", "5"});
  {
    LocalApi api(server);
    CHECK(api.get(LocalApi::meta_path()).status == 200);
    CHECK(api.get("/v0/meta/whoami").status == 200);
    CHECK(api.get(LocalApi::table_path("Nope")).status == 403);  // every answer counts
  }
  LocalApi unknown(server, "");
  CHECK(unknown.get(LocalApi::meta_path()).status == 401);  // not authenticated: not counted
  server.restart();
  LocalApi api(server);
  CHECK(api.get("/v0/bases/" + std::string(LocalServer::kBase) + "/webhooks").status == 200);
  CHECK(api.get(LocalApi::meta_path()).status == 200);
  // The sixth call and every one after it, whatever it asks.
  for (const auto& path : {LocalApi::meta_path(), std::string("/v0/meta/whoami"), LocalApi::table_path("Nope")}) {
    Answer refused = api.get(path);
    CHECK(refused.status == 429);
    CHECK(refused.error_type() == "PUBLIC_API_BILLING_LIMIT_EXCEEDED");
    CHECK(refused.body.find("API billing plan limit exceeded. You've reached the maximum number of requests "
                            "allowed for this month.") != std::string::npos);
  }
  httplib::Client raw("127.0.0.1", server.port());
  auto answer = raw.Get(LocalApi::meta_path().c_str(), {{"Authorization", "Bearer test-token"}});
  REQUIRE(answer);
  CHECK(answer->status == 429);
  CHECK_FALSE(answer->has_header("Retry-After"));
  // The month never ends in airtable-local: a restart keeps the count.
  server.restart();
  LocalApi later(server);
  CHECK(later.get(LocalApi::meta_path()).error_type() == "PUBLIC_API_BILLING_LIMIT_EXCEEDED");
}

TEST_CASE("whoami answers a user id that is stable per token", "[airtable-local][whoami]") {
  LocalServer server({"--rate-limit", "0"});
  auto who = [&](const std::string& token) {
    LocalApi api(server, token);
    Answer a = api.get("/v0/meta/whoami");
    REQUIRE(a.status == 200);
    simdjson::dom::parser p;
    auto doc = parse(p, a);
    CHECK(doc["scopes"].is_array());
    return std::string(std::string_view(doc["id"]));
  };
  std::string alice = who("alice-token");
  CHECK(alice.rfind("usr", 0) == 0);
  CHECK(alice.size() == 17);
  CHECK(who("alice-token") == alice);
  CHECK(who("bob-token") != alice);
  LocalServer other({"--rate-limit", "0"});
  LocalApi elsewhere(other, "alice-token");
  CHECK(elsewhere.get("/v0/meta/whoami").body.find(alice) != std::string::npos);
  CHECK(LocalApi(server, "").get("/v0/meta/whoami").status == 401);
}

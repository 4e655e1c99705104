// airtable-local's webhooks API over real loopback HTTP: create, list, refresh, delete, the
// limit per base, bad bodies, payloads by cursor, and notification pings whose MAC the test
// checks as airreg serve does.
#include <catch2/catch.hpp>

#include <algorithm>
#include <mutex>
#include <thread>

#include "eventually.hpp"
#include "local_api.hpp"
#include "serve/webhook_mac.hpp"

using airreg::test::Answer;
using airreg::test::eventually;
using airreg::test::LocalApi;
using airreg::test::LocalServer;

namespace {

const std::string kBase = LocalServer::kBase;

simdjson::dom::element parse(simdjson::dom::parser& p, const Answer& a) {
  INFO(a.body);
  auto doc = p.parse(a.body);
  REQUIRE(doc.error() == simdjson::SUCCESS);
  return doc.value();
}

std::string text(simdjson::dom::element e) {
  std::string_view s;
  return e.get(s) == simdjson::SUCCESS ? std::string(s) : std::string("<none>");
}

struct TableIds {
  std::string table, key, tokens, status;
};

TableIds make_table(LocalApi& api) {
  Answer a = api.post(LocalApi::meta_path(), R"({"name":"Models","fields":[
    {"name":"Key","type":"singleLineText"},
    {"name":"Tokens","type":"number","options":{"precision":0}},
    {"name":"Status","type":"singleSelect","options":{"choices":[{"name":"active","color":"greenLight2"},{"name":"pending"}]}}]})");
  REQUIRE(a.status == 200);
  simdjson::dom::parser p;
  auto t = parse(p, a);
  return {text(t["id"]), text(t["fields"].at(0)["id"]), text(t["fields"].at(1)["id"]), text(t["fields"].at(2)["id"])};
}

std::string hooks_path(const std::string& rest = "") { return "/v0/bases/" + kBase + "/webhooks" + rest; }

std::string spec_for(const std::string& table_id, const std::string& includes = "") {
  return R"({"options":{"filters":{"dataTypes":["tableData"],"recordChangeScope":")" + table_id + R"("})" +
         (includes.empty() ? "" : R"(,"includes":)" + includes) + "}}";
}

// Creates a webhook and returns {id, macSecretBase64}.
std::pair<std::string, std::string> create_hook(LocalApi& api, const std::string& spec, const std::string& url = "") {
  std::string body = R"({"specification":)" + spec + (url.empty() ? "" : R"(,"notificationUrl":")" + url + "\"") + "}";
  Answer a = api.post(hooks_path(), body);
  REQUIRE(a.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, a);
  return {text(doc["id"]), text(doc["macSecretBase64"])};
}

// The id of the record a single-record create answered with.
std::string created_id(const Answer& a) {
  simdjson::dom::parser p;
  return text(parse(p, a)["id"]);
}

// The MAC as airreg serve computes it (OpenSSL's HMAC), an independent check of the one
// airtable-local signs its pings with.
std::string expected_mac_header(const std::string& secret_base64, const std::string& body) {
  std::string mac = airreg::serve::webhook_mac(secret_base64, body);
  REQUIRE(!mac.empty());
  return mac;
}

// A notification receiver on a free loopback port, recording each ping's body and MAC header.
class PingReceiver {
 public:
  PingReceiver() {
    server_.Post("/airtable-ping", [this](const httplib::Request& req, httplib::Response& res) {
      std::lock_guard lock(mutex_);
      pings_.push_back({req.body, req.get_header_value("X-Airtable-Content-MAC")});
      res.status = 204;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
  }
  ~PingReceiver() {
    server_.stop();
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/airtable-ping"; }
  struct Ping {
    std::string body, mac;
  };
  std::vector<Ping> pings() {
    std::lock_guard lock(mutex_);
    return pings_;
  }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  std::mutex mutex_;
  std::vector<Ping> pings_;
};

}  // namespace

TEST_CASE("webhooks are created, listed, refreshed and deleted, at most 10 per base", "[airtable-local][webhooks]") {
  LocalServer server;
  LocalApi api(server);
  TableIds ids = make_table(api);
  CHECK(api.get(hooks_path()).body == R"({"webhooks":[]})");

  Answer created = api.post(hooks_path(), R"({"notificationUrl":"https://example.com/hook","specification":)" +
                                              spec_for(ids.table) + "}");
  REQUIRE(created.status == 200);
  simdjson::dom::parser p;
  auto made = parse(p, created);
  std::string id = text(made["id"]);
  CHECK(id.rfind("ach", 0) == 0);
  CHECK(id.size() == 17);
  CHECK(text(made["macSecretBase64"]).size() >= 24);
  std::string expiration = text(made["expirationTime"]);
  CHECK(expiration.size() == 24);  // 2026-12-10T10:00:00.000Z

  simdjson::dom::parser lp;
  auto hook = parse(lp, api.get(hooks_path()))["webhooks"].at(0);
  CHECK(text(hook["id"]) == id);
  CHECK(bool(hook["areNotificationsEnabled"]));
  CHECK(int64_t(hook["cursorForNextPayload"]) == 1);
  CHECK(bool(hook["isHookEnabled"]));
  CHECK(hook["lastSuccessfulNotificationTime"].is_null());
  CHECK(text(hook["notificationUrl"]) == "https://example.com/hook");
  CHECK(text(hook["expirationTime"]) == expiration);
  CHECK(text(hook["specification"]["options"]["filters"]["recordChangeScope"]) == ids.table);
  CHECK(hook["macSecretBase64"].error() == simdjson::NO_SUCH_FIELD);  // only handed out once

  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  Answer refreshed = api.post(hooks_path("/" + id + "/refresh"), "");
  REQUIRE(refreshed.status == 200);
  simdjson::dom::parser rp;
  CHECK(text(parse(rp, refreshed)["expirationTime"]) > expiration);
  CHECK(api.post(hooks_path("/achNOSUCHHOOK0000/refresh"), "").status == 404);
  CHECK(api.get(hooks_path("/achNOSUCHHOOK0000/payloads")).status == 404);
  CHECK(api.del(hooks_path("/achNOSUCHHOOK0000")).status == 404);

  // Ten per base; the eleventh is refused until one is deleted. No URL means no pings.
  for (int i = 1; i < 10; ++i) create_hook(api, spec_for(ids.table));
  Answer eleventh = api.post(hooks_path(), R"({"specification":)" + spec_for(ids.table) + "}");
  CHECK(eleventh.status == 422);
  CHECK(eleventh.error_type() == "TOO_MANY_WEBHOOKS_IN_BASE");
  Answer deleted = api.del(hooks_path("/" + id));
  CHECK(deleted.status == 200);
  CHECK(deleted.body == "{}");
  CHECK(api.get(hooks_path()).body.find(id) == std::string::npos);
  CHECK(api.post(hooks_path(), R"({"specification":)" + spec_for(ids.table) + "}").status == 200);

  // Webhooks and their state survive a restart.
  server.restart();
  LocalApi again(server);
  simdjson::dom::parser ap;
  CHECK(parse(ap, again.get(hooks_path()))["webhooks"].get_array().size() == 10);
}

TEST_CASE("a bad webhook body is refused with 422 naming what is wrong", "[airtable-local][webhooks]") {
  LocalServer server;
  LocalApi api(server);
  TableIds ids = make_table(api);
  auto refused = [&](const std::string& body, const std::string& names) {
    Answer a = api.post(hooks_path(), body);
    INFO(body << " -> " << a.body);
    CHECK(a.status == 422);
    CHECK(a.error_type() == "INVALID_REQUEST_UNKNOWN");
    CHECK(a.body.find(names) != std::string::npos);
  };
  refused("[]", "request body");
  refused("{}", "specification");
  refused(R"({"specification":{}})", "specification.options");
  refused(R"({"specification":{"options":{}}})", "filters");
  refused(R"({"specification":{"options":{"filters":{}}}})", "dataTypes");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":[]}}}})", "dataTypes");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["records"]}}}})", "records");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["tableData"],"recordChangeScope":"Models"}}}})",
          "recordChangeScope");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["tableData"],"changeTypes":["edit"]}}}})", "changeTypes");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["tableData"],"watchDataInFieldIds":["fldNOPE"]}}}})",
          "watchDataInFieldIds");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["tableData"]},"includes":{"includePreviousCellValues":"yes"}}}})",
          "includePreviousCellValues");
  refused(R"({"specification":{"options":{"filters":{"dataTypes":["tableData"],"surprise":1}}}})", "surprise");
  refused(R"({"notificationUrl":"ftp://example.com/x","specification":)" + spec_for(ids.table) + "}", "notificationUrl");
  refused(R"({"notificationUrl":"not a url","specification":)" + spec_for(ids.table) + "}", "notificationUrl");
  refused(R"({"notificationUrl":42,"specification":)" + spec_for(ids.table) + "}", "notificationUrl");
  CHECK(api.post(hooks_path(), "{not json").status == 422);
  CHECK(api.get(hooks_path()).body == R"({"webhooks":[]})");
  // A view id is a scope too.
  simdjson::dom::parser p;
  std::string view = text(parse(p, api.get(LocalApi::meta_path()))["tables"].at(0)["views"].at(0)["id"]);
  CHECK(api.post(hooks_path(), R"({"specification":)" + spec_for(view) + "}").status == 200);
}

TEST_CASE("payloads report created, changed and destroyed records by cursor", "[airtable-local][webhooks]") {
  LocalServer server;
  LocalApi api(server);
  TableIds ids = make_table(api);
  auto [with_previous, secret_a] = create_hook(api, spec_for(ids.table, R"({"includePreviousCellValues":true})"));
  auto [plain, secret_b] = create_hook(api, spec_for(ids.table));
  auto path = LocalApi::table_path("Models");

  std::string a = created_id(api.post(path, R"({"fields":{"Key":"a","Tokens":1,"Status":"active"}})"));
  REQUIRE(api.patch(path + "/" + a, R"({"fields":{"Tokens":2,"Status":null}})").status == 200);
  REQUIRE(api.patch(path + "/" + a, R"({"fields":{"Tokens":2}})").status == 200);  // no change: no payload
  REQUIRE(api.del(path + "/" + a).status == 200);
  REQUIRE(api.get(LocalApi::table_path("Models")).status == 200);  // reads make none either

  Answer listed = api.get(hooks_path("/" + with_previous + "/payloads"));
  REQUIRE(listed.status == 200);
  simdjson::dom::parser p;
  auto doc = parse(p, listed);
  auto payloads = doc["payloads"].get_array();
  REQUIRE(payloads.size() == 3);
  CHECK(int64_t(doc["cursor"]) == 4);
  CHECK_FALSE(bool(doc["mightHaveMore"]));

  auto first = payloads.at(0);
  CHECK(text(first["payloadFormat"]) == "v0");
  CHECK(int64_t(first["baseTransactionNumber"]) >= 1);
  CHECK(text(first["actionMetadata"]["source"]) == "publicApi");
  simdjson::dom::parser wp;
  std::string me = text(parse(wp, api.get("/v0/meta/whoami"))["id"]);
  CHECK(text(first["actionMetadata"]["sourceMetadata"]["user"]["id"]) == me);
  CHECK(text(first["actionMetadata"]["sourceMetadata"]["user"]["permissionLevel"]) == "create");
  auto created = first["changedTablesById"][ids.table]["createdRecordsById"][a];
  CHECK(text(created["createdTime"]).size() == 24);
  CHECK(text(created["cellValuesByFieldId"][ids.key]) == "a");
  CHECK(int64_t(created["cellValuesByFieldId"][ids.tokens]) == 1);
  // Select options come as {id, name, color}, Airtable's cell format V2 for webhooks.
  CHECK(text(created["cellValuesByFieldId"][ids.status]["name"]) == "active");
  CHECK(text(created["cellValuesByFieldId"][ids.status]["id"]).rfind("sel", 0) == 0);

  auto changed = payloads.at(1)["changedTablesById"][ids.table]["changedRecordsById"][a];
  CHECK(int64_t(changed["current"]["cellValuesByFieldId"][ids.tokens]) == 2);
  CHECK(changed["current"]["cellValuesByFieldId"][ids.status].is_null());  // cleared
  CHECK(changed["current"]["cellValuesByFieldId"][ids.key].error() == simdjson::NO_SUCH_FIELD);  // unchanged
  CHECK(int64_t(changed["previous"]["cellValuesByFieldId"][ids.tokens]) == 1);
  CHECK(text(changed["previous"]["cellValuesByFieldId"][ids.status]["name"]) == "active");
  CHECK(int64_t(payloads.at(1)["baseTransactionNumber"]) > int64_t(first["baseTransactionNumber"]));

  auto destroyed = payloads.at(2)["changedTablesById"][ids.table]["destroyedRecordIds"];
  CHECK(text(destroyed.at(0)) == a);

  // Without includePreviousCellValues there is no previous, as in Airtable.
  simdjson::dom::parser pp;
  auto plain_doc = parse(pp, api.get(hooks_path("/" + plain + "/payloads")));
  CHECK(plain_doc["payloads"].at(1)["changedTablesById"][ids.table]["changedRecordsById"][a]["previous"].error() ==
        simdjson::NO_SUCH_FIELD);

  // limit and cursor page through them; a cursor past the end gives nothing and itself back.
  simdjson::dom::parser cp;
  auto page = parse(cp, api.get(hooks_path("/" + with_previous + "/payloads?cursor=2&limit=1")));
  CHECK(page["payloads"].get_array().size() == 1);
  CHECK(int64_t(page["cursor"]) == 3);
  CHECK(bool(page["mightHaveMore"]));
  CHECK(page["payloads"].at(0)["changedTablesById"][ids.table]["changedRecordsById"].is_object());
  simdjson::dom::parser ep;
  auto end = parse(ep, api.get(hooks_path("/" + with_previous + "/payloads?cursor=9")));
  CHECK(end["payloads"].get_array().size() == 0);
  CHECK(int64_t(end["cursor"]) == 9);
  CHECK_FALSE(bool(end["mightHaveMore"]));
  CHECK(api.get(hooks_path("/" + with_previous + "/payloads?limit=51")).status == 422);
  CHECK(api.get(hooks_path("/" + with_previous + "/payloads?cursor=0")).status == 422);
  CHECK(api.get(hooks_path("/" + with_previous + "/payloads?cursor=x")).status == 422);

  // 60 changes: the default and largest page is 50.
  for (int i = 0; i < 60; i += 10) {
    std::string body = R"({"records":[)";
    for (int j = 0; j < 10; ++j) body += std::string(j ? "," : "") + R"({"fields":{"Key":"k)" + std::to_string(i + j) + "\"}}";
    REQUIRE(api.post(path, body + "]}").status == 200);
  }
  for (int i = 0; i < 6; ++i) REQUIRE(api.post(path, R"({"fields":{"Key":"single"}})").status == 200);
  simdjson::dom::parser bp;
  auto big = parse(bp, api.get(hooks_path("/" + with_previous + "/payloads?cursor=4")));
  CHECK(big["payloads"].get_array().size() == 12);  // one payload per request, not per record
  simdjson::dom::parser lp;
  auto list = parse(lp, api.get(hooks_path()));
  CHECK(int64_t(list["webhooks"].at(0)["cursorForNextPayload"]) == 16);

  // Payloads and cursors survive a restart.
  server.restart();
  LocalApi again(server);
  simdjson::dom::parser rp;
  auto kept = parse(rp, again.get(hooks_path("/" + with_previous + "/payloads?cursor=3&limit=1")));
  CHECK(text(kept["payloads"].at(0)["changedTablesById"][ids.table]["destroyedRecordIds"].at(0)) == a);
  simdjson::dom::parser np;
  std::string b = created_id(again.post(path, R"({"fields":{"Key":"after restart"}})"));
  auto next = parse(np, again.get(hooks_path("/" + with_previous + "/payloads?cursor=16")));
  CHECK(next["payloads"].at(0)["changedTablesById"][ids.table]["createdRecordsById"][b].is_object());
}

TEST_CASE("a webhook scoped to one table gets no payloads for another", "[airtable-local][webhooks]") {
  LocalServer server;
  LocalApi api(server);
  TableIds ids = make_table(api);
  REQUIRE(api.post(LocalApi::meta_path(), R"({"name":"Other","fields":[{"name":"Key","type":"singleLineText"}]})").status == 200);
  auto [scoped, s1] = create_hook(api, spec_for(ids.table));
  auto [everything, s2] = create_hook(api, R"({"options":{"filters":{"dataTypes":["tableData"]}}})");
  auto [adds_only, s3] = create_hook(
      api, R"({"options":{"filters":{"dataTypes":["tableData"],"changeTypes":["add"],"recordChangeScope":")" + ids.table + R"("}}})");
  REQUIRE(api.post(LocalApi::table_path("Other"), R"({"fields":{"Key":"x"}})").status == 200);
  std::string m = created_id(api.post(LocalApi::table_path("Models"), R"({"fields":{"Key":"m"}})"));
  REQUIRE(api.patch(LocalApi::table_path("Models") + "/" + m, R"({"fields":{"Key":"n"}})").status == 200);
  auto count = [&](const std::string& hook) {
    simdjson::dom::parser p;
    return parse(p, api.get(hooks_path("/" + hook + "/payloads")))["payloads"].get_array().size();
  };
  CHECK(count(scoped) == 2);
  CHECK(count(everything) == 3);
  CHECK(count(adds_only) == 1);
}

TEST_CASE("a change pings the notificationUrl with a MAC the receiver can verify", "[airtable-local][webhooks]") {
  PingReceiver receiver;
  LocalServer server;
  LocalApi api(server);
  TableIds ids = make_table(api);
  auto [hook, secret] = create_hook(api, spec_for(ids.table), receiver.url());
  auto [quiet, quiet_secret] = create_hook(api, spec_for(ids.table), "https://example.com/not-loopback");

  // Airtable pings a new webhook shortly after creating it, and after each change.
  REQUIRE(eventually([&] { return receiver.pings().size() == 1; }, std::chrono::seconds(10)));
  REQUIRE(api.post(LocalApi::table_path("Models"), R"({"fields":{"Key":"ping me"}})").status == 200);
  REQUIRE(eventually([&] { return receiver.pings().size() == 2; }, std::chrono::seconds(10)));
  auto ping = receiver.pings().back();
  simdjson::dom::parser p;
  auto body = p.parse(ping.body);
  REQUIRE(body.error() == simdjson::SUCCESS);
  CHECK(text(body["base"]["id"]) == kBase);
  CHECK(text(body["webhook"]["id"]) == hook);
  CHECK(text(body["timestamp"]).size() == 24);
  CHECK(ping.mac == expected_mac_header(secret, ping.body));
  CHECK(ping.mac.rfind("hmac-sha256=", 0) == 0);

  // The receiver fetches what changed; the success is recorded.
  simdjson::dom::parser pp;
  CHECK(parse(pp, api.get(hooks_path("/" + hook + "/payloads")))["payloads"].get_array().size() == 1);
  REQUIRE(eventually([&] {
    simdjson::dom::parser lp;
    auto hooks = lp.parse(api.get(hooks_path()).body);
    return !hooks["webhooks"].at(0)["lastSuccessfulNotificationTime"].is_null();
  }, std::chrono::seconds(10)));
  simdjson::dom::parser rp;
  auto result = parse(rp, api.get(hooks_path()))["webhooks"].at(0)["lastNotificationResult"];
  CHECK(bool(result["success"]));

  // Turned off, a webhook still collects payloads but sends no pings.
  REQUIRE(api.post(hooks_path("/" + hook + "/enableNotifications"), R"({"enable":false})").status == 200);
  size_t before = receiver.pings().size();
  REQUIRE(api.post(LocalApi::table_path("Models"), R"({"fields":{"Key":"silent"}})").status == 200);
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CHECK(receiver.pings().size() == before);
  simdjson::dom::parser sp;
  CHECK(parse(sp, api.get(hooks_path("/" + hook + "/payloads")))["payloads"].get_array().size() == 2);
  // Every ping so far carried a valid MAC; none went to the non-loopback URL (nothing to count
  // there, but its webhook has no notification result).
  for (const auto& each : receiver.pings()) CHECK(each.mac == expected_mac_header(secret, each.body));
  simdjson::dom::parser qp;
  CHECK(parse(qp, api.get(hooks_path()))["webhooks"].at(1)["lastNotificationResult"].is_null());
}

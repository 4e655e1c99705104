#include "service.hpp"

#include <simdjson.h>

#include <algorithm>
#include <iostream>

#include "json_out.hpp"
#include "meta_api.hpp"
#include "query.hpp"
#include "records_api.hpp"
#include "store_file.hpp"

namespace airtable_local {

namespace {

HttpAnswer error_answer(const ApiError& e) { return {e.status, error_json(e), {}}; }

HttpAnswer reply_answer(const Reply& r) { return r ? HttpAnswer{200, *r, {}} : error_answer(r.error()); }

// Airtable answers an unknown route with a bare string error, not an object.
HttpAnswer route_not_found() { return {404, R"({"error":"NOT_FOUND"})", {}}; }

bool valid_utf8(const std::string& s) { return simdjson::validate_utf8(s.data(), s.size()); }

}  // namespace

Service::Service(ServiceOptions options, Store store)
    : options_(std::move(options)),
      store_(std::move(store)),
      ids_(options_.seed),
      limiter_(options_.rate_limit, options_.penalty) {
  for (const auto& id : options_.base_ids)
    if (!store_.find_base(id)) store_.bases.push_back({id, {}});
}

void Service::save() {
  std::lock_guard lock(mutex_);
  if (options_.data_path.empty()) return;
  if (auto ok = save_store(store_, options_.data_path); !ok)
    std::cerr << "airtable-local: could not save " << ok.error() << "\n";
}

HttpAnswer Service::handle(const HttpCall& call) {
  const std::string& auth = call.authorization;
  const std::string prefix = "Bearer ";
  std::string token = auth.rfind(prefix, 0) == 0 ? auth.substr(prefix.size()) : std::string();
  bool known = options_.tokens.empty()
                   ? !token.empty()
                   : std::find(options_.tokens.begin(), options_.tokens.end(), token) !=
                         options_.tokens.end();
  if (!known) return error_answer({401, "AUTHENTICATION_REQUIRED", "Authentication required"});
  if (!valid_utf8(call.target) || !valid_utf8(call.body))
    return error_answer(invalid_request("the request is not valid UTF-8"));
  return route(call);
}

HttpAnswer Service::route(const HttpCall& call) {
  Target target = parse_target(call.target);
  const auto& seg = target.segments;
  if (seg.empty() || seg[0] != "v0") return route_not_found();
  bool meta = seg.size() >= 4 && seg[1] == "meta" && seg[2] == "bases";
  const std::string base_id = meta ? seg[3] : (seg.size() >= 2 ? seg[1] : "");
  if (base_id.empty()) return route_not_found();
  // The rate limit counts every authenticated request to the base, reads and meta included.
  if (!limiter_.admit(base_id)) {
    HttpAnswer refused = error_answer({429, "RATE_LIMIT_REACHED",
                                       "You have made too many requests in a single second. Please wait "
                                       "before making more requests."});
    if (options_.retry_after) {
      auto left = std::chrono::ceil<std::chrono::seconds>(limiter_.penalty_left(base_id));
      refused.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(1, left.count())));
    }
    return refused;
  }

  simdjson::dom::parser parser;
  simdjson::dom::element body;
  bool has_body = call.method == "POST" || call.method == "PATCH" || call.method == "PUT";
  if (has_body && parser.parse(call.body).get(body) != simdjson::SUCCESS)
    return error_answer(invalid_request(
        "Invalid request: parameter validation failed. Check your request data."));

  auto now = std::chrono::system_clock::now();
  std::lock_guard lock(mutex_);
  Base* base = store_.find_base(base_id);
  if (!base) return error_answer(model_not_found());
  const std::string& m = call.method;
  Reply reply = std::unexpected(ApiError{404, "NOT_FOUND", ""});
  bool routed = true, changes = false;

  if (meta) {
    // /v0/meta/bases/{base}/tables[/{table}[/fields[/{field}]]]
    if (seg.size() < 5 || seg[4] != "tables") return route_not_found();
    Table* table = seg.size() >= 6 ? base->find_table(seg[5]) : nullptr;
    if (seg.size() >= 6 && !table) return error_answer(model_not_found());
    if (seg.size() == 5 && m == "GET") {
      reply = list_tables(*base);
    } else if (seg.size() == 5 && m == "POST") {
      reply = create_table(*base, body, ids_), changes = true;
    } else if (seg.size() == 6 && m == "PATCH") {
      reply = update_table(*table, *base, body), changes = true;
    } else if (seg.size() == 7 && seg[6] == "fields" && m == "POST") {
      reply = create_field(*table, body, ids_), changes = true;
    } else if (seg.size() == 8 && seg[6] == "fields" && m == "PATCH") {
      reply = update_field(*table, seg[7], body), changes = true;
    } else {
      routed = false;
    }
  } else {
    // /v0/{base}/{table}[/{record} | /listRecords]
    if (seg.size() < 3 || seg.size() > 4) return route_not_found();
    Table* table = base->find_table(seg[2]);
    if (!table) return error_answer(model_not_found());
    bool by_id = false;
    if (auto* v = target.param("returnFieldsByFieldId")) by_id = *v == "true" || *v == "1";
    if (seg.size() == 3) {
      if (m == "GET") {
        auto options = list_options_from_query(target, *table);
        reply = options ? list_records(*table, *options, now, ids_) : std::unexpected(options.error());
      } else if (m == "POST") {
        reply = create_records(*table, body, ids_, now), changes = true;
      } else if (m == "PATCH" || m == "PUT") {
        reply = update_records(*table, body, m == "PUT", ids_, now), changes = true;
      } else if (m == "DELETE") {
        auto ids = target.all("records[]");
        if (ids.empty()) ids = target.all("records");
        reply = delete_records(*table, ids, false), changes = true;
      } else {
        routed = false;
      }
    } else if (seg[3] == "listRecords" && m == "POST") {
      auto options = list_options_from_body(body, *table);
      reply = options ? list_records(*table, *options, now, ids_) : std::unexpected(options.error());
    } else if (m == "GET") {
      reply = get_record(*table, seg[3], by_id);
    } else if (m == "PATCH" || m == "PUT") {
      reply = update_record(*table, seg[3], body, m == "PUT", ids_), changes = true;
    } else if (m == "DELETE") {
      reply = delete_records(*table, {seg[3]}, true), changes = true;
    } else {
      routed = false;
    }
  }
  if (!routed) return route_not_found();
  if (reply && changes && !options_.data_path.empty()) {
    if (auto ok = save_store(store_, options_.data_path); !ok)
      return error_answer({500, "SERVER_ERROR", "could not save the data: " + ok.error()});
  }
  return reply_answer(reply);
}

}  // namespace airtable_local

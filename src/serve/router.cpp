#include "serve/router.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <simdjson.h>

#include <algorithm>

#include "json/member.hpp"
#include "registry/resolve.hpp"
#include "serve/json_answers.hpp"
#include "serve/status_page.hpp"

namespace airreg::serve {

namespace {

using Clock = std::chrono::steady_clock;

ServeResponse json(int status, std::string body) { return ServeResponse{status, "application/json", std::move(body), {}}; }

ServeResponse bad_request(const std::string& message, const std::string& param) {
  return json(400, error_json(message, "invalid_request_error", param));
}

ServeResponse not_found(const std::string& message) { return json(404, error_json(message, "not_found_error")); }

ServeResponse method_not_allowed(const std::string& allowed) {
  ServeResponse r = json(405, error_json("this route takes " + allowed, "invalid_request_error"));
  r.headers.emplace_back("Allow", allowed);
  return r;
}

// Tokens compared in constant time: how much of a guess matched must not show in the timing.
bool same_secret(const std::string& given, const std::string& token) {
  bool same_size = given.size() == token.size();
  const std::string& other = same_size ? token : given;  // a wrong size still reads every byte
  unsigned char diff = same_size ? 0 : 1;
  for (size_t i = 0; i < given.size(); ++i) diff |= static_cast<unsigned char>(given[i] ^ other[i]);
  return diff == 0;
}

// A provider name as providers are named: letters, digits, '-', '_' and '.', 1 to 64.
bool plausible_provider(const std::string& p) {
  if (p.empty() || p.size() > 64) return false;
  return std::all_of(p.begin(), p.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

std::optional<ModelCategory> category_of(const ServeRequest& request, std::string& error) {
  auto c = request.param("category");
  if (!c || c->empty() || *c == "text") return ModelCategory::text;
  if (*c == "tts") return ModelCategory::tts;
  error = "category must be text or tts, not \"" + c->substr(0, 32) + "\"";
  return std::nullopt;
}

bool flag(const ServeRequest& request, const char* name) {
  auto v = request.param(name);
  return v && (v->empty() || *v == "1" || *v == "true" || *v == "yes");
}

std::string unauthorized_message(const ServeRequest& request) {
  return request.header("authorization") ? "the bearer token is not one this server accepts"
                                         : "this route needs Authorization: Bearer <token> (see --token)";
}

}  // namespace

Router::Router(ModelRegistry& registry, Metrics& metrics, RouterConfig config)
    : registry_(registry), metrics_(metrics), config_(std::move(config)) {}

void Router::add_route(Route route, std::string path, ExtraRoute handler) {
  extra_.emplace_back(route, std::move(path), std::move(handler));
}

Route Router::classify(const std::string& path) {
  if (path == "/") return Route::page;
  if (path == "/healthz") return Route::healthz;
  if (path == "/readyz") return Route::readyz;
  if (path == "/metrics") return Route::metrics;
  if (path == "/v1/registry/models") return Route::models;
  if (path == "/v1/registry/resolve") return Route::resolve;
  if (path == "/v1/registry/verified") return Route::verified;
  if (path == "/v1/registry/refresh") return Route::refresh;
  if (path == "/airtable/webhook") return Route::webhook;
  for (const char* prefix : {"/v1/models", "/openai/v1/models"}) {
    std::string p(prefix);
    if (path == p) return Route::openai_models;
    if (path.rfind(p + "/", 0) == 0) return Route::openai_model;
  }
  if (path.rfind("/providers/", 0) == 0) {
    auto rest = path.substr(11);
    auto slash = rest.find('/');
    if (slash != std::string::npos) {
      auto tail = rest.substr(slash);
      if (tail == "/v1/models") return Route::openai_models;
      if (tail.rfind("/v1/models/", 0) == 0) return Route::openai_model;
    }
  }
  return Route::other;
}

ServeResponse Router::handle(const ServeRequest& request) {
  auto started = Clock::now();
  Route route = Route::other;
  ServeResponse response;
  try {
    response = dispatch(request, route);
  } catch (const std::exception&) {
    // The text could name anything; the log of the caller has the request.
    response = json(500, error_json("the server failed to answer", "server_error"));
  }
  metrics_.observe(route, response.status, Clock::now() - started);
  return response;
}

bool Router::authorized(const ServeRequest& request) const {
  if (config_.tokens.empty()) return true;
  auto header = request.header("authorization");
  if (!header || header->rfind("Bearer ", 0) != 0) return false;
  std::string given = header->substr(7);
  bool ok = false;
  for (const auto& t : config_.tokens) ok |= same_secret(given, t);
  return ok;
}

ServeResponse Router::dispatch(const ServeRequest& request, Route& route) {
  route = classify(request.path);
  const std::string& m = request.method;
  // Health checks answer anyone: a load balancer has no token.
  if (route == Route::healthz) {
    if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
    return json(200, R"({"status":"ok"})");
  }
  if (route == Route::readyz) {
    if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
    return readyz();
  }
  for (const auto& [extra_route, path, handler] : extra_)
    if (request.path == path) {
      route = extra_route;
      if (auto answer = handler(request)) return *answer;
    }
  if (route == Route::other) return not_found("no route " + request.path.substr(0, 200) + " (see docs/serve.md)");
  if (route == Route::refresh) {
    // Forcing a provider's listing costs its API and Airtable: never anonymous, even on loopback.
    if (m != "POST") return method_not_allowed("POST");
    if (config_.tokens.empty())
      return json(403, error_json("refresh needs a token: start airreg serve with --token", "permission_error"));
    if (!authorized(request)) return json(401, error_json(unauthorized_message(request), "authentication_error"));
    return refresh(request);
  }
  if (!authorized(request)) {
    ServeResponse r = json(401, error_json(unauthorized_message(request), "authentication_error"));
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  if (request.body.size() > config_.max_body)
    return json(413, error_json("the body is over " + std::to_string(config_.max_body / 1024) + " KiB", "invalid_request_error"));
  switch (route) {
    case Route::page:
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
      return page();
    case Route::metrics:
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
      return ServeResponse{200, "text/plain; version=0.0.4; charset=utf-8", metrics_.render(registry_), {}};
    case Route::models:
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
      return models(request);
    case Route::resolve:
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
      return resolve(request);
    case Route::verified:
      if (m != "POST") return method_not_allowed("POST");
      return verified(request);
    case Route::openai_models:
    case Route::openai_model: {
      if (m != "GET" && m != "HEAD") return method_not_allowed("GET");
      std::string provider;
      std::string rest = request.path;
      if (rest.rfind("/providers/", 0) == 0) {
        rest = rest.substr(11);
        provider = rest.substr(0, rest.find('/'));
        rest = rest.substr(provider.size());
      } else if (rest.rfind("/openai", 0) == 0) {
        rest = rest.substr(7);
      }
      std::string id = route == Route::openai_model ? rest.substr(std::string("/v1/models/").size()) : "";
      return openai_models(request, provider, id);
    }
    default:
      return not_found("no route " + request.path.substr(0, 200));
  }
}

Result<std::vector<std::shared_ptr<const ModelList>>> Router::lists(const std::string& provider, ModelCategory category,
                                                                    bool all) {
  std::vector<std::string> providers = provider.empty() ? registry_.providers() : std::vector<std::string>{provider};
  std::vector<std::shared_ptr<const ModelList>> out;
  for (const auto& p : providers) {
    auto list = registry_.models(p, category, all);
    if (!list) {
      if (!provider.empty()) return std::unexpected(list.error());
      continue;  // every provider: one that cannot answer is left out (its error is in /readyz)
    }
    if (provider.empty() && (*list)->models.empty() && (*list)->source == AnswerSource::curated) continue;
    out.push_back(*list);
  }
  return out;
}

ServeResponse Router::with_etag(const ServeRequest& request, ServeResponse response, const std::string& tag) {
  std::string etag = "W/\"" + tag + "\"";
  if (auto match = request.header("if-none-match"); match && (*match == etag || *match == "*")) {
    ServeResponse not_modified{304, response.content_type, "", {{"ETag", etag}}};
    return not_modified;
  }
  response.headers.emplace_back("ETag", etag);
  return response;
}

namespace {

// Every answer's snapshot version and source: what the body depends on, besides its age.
std::string tag_of(const std::vector<std::shared_ptr<const ModelList>>& lists, const std::string& what) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a over the parts
  auto mix = [&](std::string_view s) {
    for (char c : s) {
      h ^= static_cast<unsigned char>(c);
      h *= 1099511628211ull;
    }
  };
  mix(what);
  for (const auto& l : lists) {
    mix(l->provider);
    mix(std::to_string(l->version));
    mix(to_string(l->origin));
    mix(l->degraded ? "d" : "s");
    mix(std::to_string(l->models.size()));
    mix(std::to_string(std::chrono::duration_cast<std::chrono::seconds>(l->as_of.time_since_epoch()).count()));
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

}  // namespace

ServeResponse Router::models(const ServeRequest& request) {
  std::string error;
  auto category = category_of(request, error);
  if (!category) return bad_request(error, "category");
  std::string provider = request.param("provider").value_or("");
  if (!provider.empty() && !plausible_provider(provider)) return bad_request("provider is not a provider name", "provider");
  bool all = flag(request, "all");
  auto found = lists(provider, *category, all);
  if (!found) return json(found.error().code == ErrorCode::not_found ? 404 : 503, error_json(found.error().describe(), "registry_error"));
  auto now = std::chrono::system_clock::now();
  std::string body;
  if (!provider.empty()) {
    // The same answer within the same second renders the same body: reuse it.
    const auto& list = found->front();
    std::string key = provider + "\n" + std::string(to_string(*category)) + (all ? "\na" : "\nu");
    long long second = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
    {
      std::lock_guard lock(rendered_mutex_);
      auto it = rendered_.find(key);
      if (it != rendered_.end() && it->second.list == list && it->second.second == second) body = it->second.body;
    }
    if (body.empty()) {
      body = model_list_json(*list, now);
      std::lock_guard lock(rendered_mutex_);
      rendered_[key] = Rendered{list, second, body};
    }
  } else {
    body = model_lists_json(*found, now);
  }
  return with_etag(request, json(200, std::move(body)), tag_of(*found, "models" + std::string(all ? "a" : "u")));
}

ServeResponse Router::resolve(const ServeRequest& request) {
  std::string error;
  auto category = category_of(request, error);
  if (!category) return bad_request(error, "category");
  auto provider = request.param("provider");
  if (!provider || provider->empty()) return bad_request("provider is missing (provider=openai, ...)", "provider");
  if (!plausible_provider(*provider)) return bad_request("provider is not a provider name", "provider");
  std::string model = request.param("model").value_or("");
  if (model.size() > 200) return bad_request("model is longer than 200 characters", "model");
  auto choice = registry_.resolve(*provider, *category, model);
  if (!choice) return json(404, error_json(choice.error().describe(), "not_found_error"));
  return json(200, resolve_json(*provider, *category, model, *choice));
}

ServeResponse Router::verified(const ServeRequest& request) {
  simdjson::dom::parser parser;
  simdjson::dom::element root;
  if (parser.parse(request.body).get(root) != simdjson::SUCCESS)
    return bad_request("the body is not JSON: send {\"provider\":\"openai\",\"model\":\"gpt-4o\"} or a list of them", "");
  std::vector<std::pair<std::string, std::string>> reports;
  auto take = [&](simdjson::dom::element e) -> bool {
    std::string_view provider, model;
    if (e["provider"].get(provider) != simdjson::SUCCESS || e["model"].get(model) != simdjson::SUCCESS) return false;
    if (!plausible_provider(std::string(provider)) || model.empty() || model.size() > 200) return false;
    reports.emplace_back(provider, model);
    return true;
  };
  simdjson::dom::array items;
  if (root.get(items) == simdjson::SUCCESS) {
    if (items.size() > 1000) return bad_request("at most 1,000 reports per request", "");
    for (auto item : items)
      if (!take(item)) return bad_request("each report is {\"provider\":\"...\",\"model\":\"...\"}", "");
  } else if (!take(root)) {
    return bad_request("the body must be {\"provider\":\"...\",\"model\":\"...\"} or a list of them", "");
  }
  for (const auto& [provider, model] : reports) registry_.report_verified(provider, model);
  return json(202, R"({"accepted":)" + std::to_string(reports.size()) + "}");
}

ServeResponse Router::refresh(const ServeRequest& request) {
  auto provider = request.param("provider");
  if (!provider || provider->empty()) return bad_request("provider is missing", "provider");
  if (!plausible_provider(*provider)) return bad_request("provider is not a provider name", "provider");
  std::string error;
  auto category = category_of(request, error);
  if (!category) return bad_request(error, "category");
  {
    std::lock_guard lock(refresh_mutex_);
    auto now = Clock::now();
    auto it = refreshed_at_.find(*provider);
    if (it != refreshed_at_.end() && now - it->second < config_.refresh_interval) {
      auto wait = std::chrono::ceil<std::chrono::seconds>(config_.refresh_interval - (now - it->second));
      ServeResponse r = json(429, error_json(*provider + " was refreshed less than " +
                                                 std::to_string(config_.refresh_interval.count()) + " s ago",
                                             "rate_limit_error"));
      r.headers.emplace_back("Retry-After", std::to_string(std::max<long long>(1, wait.count())));
      return r;
    }
    refreshed_at_[*provider] = now;
  }
  auto list = registry_.refresh(*provider, *category);
  if (!list) return json(502, error_json(list.error().describe(), "upstream_error"));
  return json(200, model_list_json(**list, std::chrono::system_clock::now()));
}

ServeResponse Router::openai_models(const ServeRequest& request, const std::string& path_provider, const std::string& id) {
  std::string error;
  auto category = category_of(request, error);
  if (!category) return bad_request(error, "category");
  std::string provider = path_provider.empty() ? request.param("provider").value_or("") : path_provider;
  if (!provider.empty() && !plausible_provider(provider)) return bad_request("provider is not a provider name", "provider");
  bool bare = !provider.empty();
  std::string wanted = id;
  if (!id.empty() && provider.empty()) {
    // "openai/gpt-4o": the provider is the part before the first slash.
    auto slash = id.find('/');
    if (slash == std::string::npos) return not_found("the model " + id.substr(0, 200) + " does not exist (ids are provider/model)");
    provider = id.substr(0, slash);
    wanted = id.substr(slash + 1);
    if (!plausible_provider(provider)) return not_found("the model " + id.substr(0, 200) + " does not exist");
  }
  auto found = lists(provider, *category, false);
  if (!found) return json(503, error_json(found.error().describe(), "registry_error"));
  if (id.empty()) return with_etag(request, json(200, openai_models_json(*found, bare)), tag_of(*found, bare ? "openai-bare" : "openai"));
  for (const auto& l : *found)
    for (const auto& r : l->models)
      if (r.model_id == wanted && registry::servable(r)) return json(200, openai_model_json(*l, r, bare));
  return not_found("the model " + id.substr(0, 200) + " does not exist or is not approved");
}

ServeResponse Router::readyz() {
  auto cached = registry_.cached();
  auto stats = registry_.stats();
  std::vector<std::string> degraded;
  for (const auto& a : cached)
    if (a.degraded) degraded.push_back(a.provider + "/" + std::string(to_string(a.category)) + ": " + std::string(to_string(a.source)));
  if (stats.fleet && !stats.redis_ok) degraded.push_back("redis: " + stats.redis_error);
  if (!stats.last_write_error.empty()) degraded.push_back("write-back: " + stats.last_write_error);
  rapidjson::StringBuffer b;
  rapidjson::Writer<rapidjson::StringBuffer> w(b);
  bool ready = !cached.empty();
  w.StartObject();
  json::member(w, "ready", ready);
  json::member(w, "answers", cached.size());
  json::key(w, "degraded");
  w.StartArray();
  for (const auto& d : degraded) json::value(w, d);
  w.EndArray();
  w.EndObject();
  return json(ready ? 200 : 503, std::string(b.GetString(), b.GetSize()));
}

ServeResponse Router::page() {
  return ServeResponse{200, "text/html; charset=utf-8", status_page_html(registry_, config_.version), {}};
}

}  // namespace airreg::serve

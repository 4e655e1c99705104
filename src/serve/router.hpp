// serve's HTTP API over one ModelRegistry: which route a request is, who may call it, what
// its parameters must be, and the answer, as a pure function of the request (no socket), so
// that every route and every bad input is tested and fuzzed directly. It adds no cache: every
// answer is ModelRegistry's, rendered (a rendered body is reused while the registry hands back
// the same answer within the same second).
//
// Routes (docs/serve.md): / (status page), /healthz, /readyz, /metrics,
// /v1/registry/{models,resolve,verified,refresh}, and OpenAI's model list at /v1/models,
// /openai/v1/models and /providers/{P}/v1/models (with /models/{id} under each).
// Thread-safe.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "airreg/model_registry.hpp"
#include "serve/http_message.hpp"
#include "serve/metrics.hpp"

namespace airreg::serve {

struct RouterConfig {
  std::vector<std::string> tokens;               // bearer tokens; empty: none asked (loopback only)
  std::chrono::seconds refresh_interval{60};     // a provider's forced refresh at most this often (s)
  size_t max_body = 64 * 1024;                   // larger bodies get 413 (bytes)
  std::string version;                           // shown on the status page
};

// Extra routes a caller mounts (the Airtable webhook): given the request, an answer, or
// nothing when the path is not theirs.
using ExtraRoute = std::function<std::optional<ServeResponse>(const ServeRequest&)>;

class Router {
 public:
  Router(ModelRegistry& registry, Metrics& metrics, RouterConfig config);
  void add_route(Route route, std::string path, ExtraRoute handler);

  // Never throws; an unexpected exception is a 500 without its text.
  ServeResponse handle(const ServeRequest& request);
  // The route a path belongs to, for the metrics of answers made elsewhere (413, 503).
  static Route classify(const std::string& path);
  // Counts an answer the server made without the router (413 before the body, 503 when full).
  void record(Route route, int status) { metrics_.observe(route, status, std::chrono::nanoseconds(0)); }

 private:
  ServeResponse dispatch(const ServeRequest& request, Route& route);
  ServeResponse page();
  ServeResponse readyz();
  ServeResponse models(const ServeRequest& request);
  ServeResponse resolve(const ServeRequest& request);
  ServeResponse verified(const ServeRequest& request);
  ServeResponse refresh(const ServeRequest& request);
  ServeResponse openai_models(const ServeRequest& request, const std::string& provider, const std::string& id);
  // The lists of every provider in the table (or the one named) in a category.
  Result<std::vector<std::shared_ptr<const ModelList>>> lists(const std::string& provider, ModelCategory category,
                                                              bool all);
  bool authorized(const ServeRequest& request) const;
  ServeResponse with_etag(const ServeRequest& request, ServeResponse response, const std::string& tag);

  ModelRegistry& registry_;
  Metrics& metrics_;
  RouterConfig config_;
  std::vector<std::tuple<Route, std::string, ExtraRoute>> extra_;

  std::mutex refresh_mutex_;
  std::map<std::string, std::chrono::steady_clock::time_point> refreshed_at_;  // provider -> last forced refresh

  // The last body rendered per (provider, category, all): reused while the registry returns
  // the same answer and its age in seconds has not moved.
  struct Rendered {
    std::shared_ptr<const ModelList> list;
    long long second = -1;
    std::string body;
  };
  std::mutex rendered_mutex_;
  std::map<std::string, Rendered> rendered_;
};

}  // namespace airreg::serve

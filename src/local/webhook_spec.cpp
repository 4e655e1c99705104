#include "webhook_spec.hpp"

#include <algorithm>
#include <initializer_list>

#include "http_url.hpp"

namespace airtable_local {

namespace {

using simdjson::dom::element;
using simdjson::dom::object;
using Names = std::initializer_list<std::string_view>;

const Names kDataTypes = {"tableData", "tableFields", "tableMetadata"};
const Names kChangeTypes = {"add", "remove", "update"};
const Names kSources = {"client",     "publicApi", "formSubmission", "formPageSubmission",
                            "automation", "system",    "sync",           "anonymousUser",
                            "unknown"};

ApiError bad(const std::string& path, const std::string& why) {
  return invalid_request("Invalid request: " + path + " " + why);
}

bool one_of(std::string_view s, Names names) {
  return std::find(names.begin(), names.end(), s) != names.end();
}

// Airtable refuses members it does not know; so does airtable-local, naming the member.
std::expected<object, ApiError> object_with(element e, const std::string& path, Names allowed) {
  object obj;
  if (e.get(obj) != simdjson::SUCCESS) return std::unexpected(bad(path, "must be an object"));
  for (auto [key, value] : obj)
    if (!one_of(key, allowed))
      return std::unexpected(bad(path + "." + std::string(key), "is not a known property"));
  return obj;
}

// An array of strings, each one of `allowed` (when given), without repeats.
std::expected<std::vector<std::string>, ApiError> strings(element e, const std::string& path,
                                                          std::optional<Names> allowed) {
  simdjson::dom::array arr;
  if (e.get(arr) != simdjson::SUCCESS) return std::unexpected(bad(path, "must be an array of strings"));
  std::vector<std::string> out;
  for (element item : arr) {
    std::string_view s;
    if (item.get(s) != simdjson::SUCCESS) return std::unexpected(bad(path, "must be an array of strings"));
    if (allowed && !one_of(s, *allowed))
      return std::unexpected(bad(path, "holds an unknown value \"" + std::string(s) + "\""));
    if (std::find(out.begin(), out.end(), s) == out.end()) out.emplace_back(s);
  }
  return out;
}

// Only ids: Airtable's specification takes no table names.
const Table* table_with_id(const Base& base, std::string_view id) {
  for (const auto& t : base.tables)
    if (t.id == id) return &t;
  return nullptr;
}

const Table* table_with_view(const Base& base, std::string_view view_id) {
  for (const auto& t : base.tables)
    if (t.view_id == view_id) return &t;
  return nullptr;
}

// Field ids must name fields of the scope's table, or of any table without a scope.
std::expected<void, ApiError> check_field_ids(const Base& base, const WebhookSpec& spec,
                                              const std::vector<std::string>& ids,
                                              const std::string& path) {
  for (const auto& id : ids) {
    bool found = false;
    for (const auto& t : base.tables) {
      if (!spec.scope_table_id.empty() && t.id != spec.scope_table_id) continue;
      found = found || std::any_of(t.fields.begin(), t.fields.end(),
                                   [&](const Field& f) { return f.id == id; });
    }
    if (!found) return std::unexpected(bad(path, "names an unknown field id \"" + id + "\""));
  }
  return {};
}

std::expected<void, ApiError> read_filters(element e, const Base& base, WebhookSpec& spec) {
  const std::string path = "specification.options.filters";
  auto filters = object_with(e, path,
                             {"dataTypes", "recordChangeScope", "changeTypes", "fromSources",
                              "sourceOptions", "watchDataInFieldIds", "watchSchemasOfFieldIds"});
  if (!filters) return std::unexpected(filters.error());
  element v;
  if (filters->at_key("dataTypes").get(v) != simdjson::SUCCESS)
    return std::unexpected(bad(path + ".dataTypes", "is required"));
  auto types = strings(v, path + ".dataTypes", kDataTypes);
  if (!types) return std::unexpected(types.error());
  if (types->empty()) return std::unexpected(bad(path + ".dataTypes", "must not be empty"));
  spec.data_types = std::move(*types);
  if (filters->at_key("recordChangeScope").get(v) == simdjson::SUCCESS) {
    std::string_view scope;
    if (v.get(scope) != simdjson::SUCCESS)
      return std::unexpected(bad(path + ".recordChangeScope", "must be a table or view id"));
    if (auto* t = table_with_id(base, scope)) {
      spec.scope_table_id = t->id;
    } else if (auto* tv = table_with_view(base, scope)) {
      spec.scope_table_id = tv->id;
      spec.scope_view_id = std::string(scope);
    } else {
      return std::unexpected(bad(path + ".recordChangeScope",
                                 "\"" + std::string(scope) + "\" is not the id of a table or view "
                                 "of this base (names are not accepted)"));
    }
  }
  if (filters->at_key("changeTypes").get(v) == simdjson::SUCCESS) {
    auto change_types = strings(v, path + ".changeTypes", kChangeTypes);
    if (!change_types) return std::unexpected(change_types.error());
    spec.change_types = std::move(*change_types);
  }
  if (filters->at_key("fromSources").get(v) == simdjson::SUCCESS) {
    auto sources = strings(v, path + ".fromSources", kSources);
    if (!sources) return std::unexpected(sources.error());
    spec.from_sources = std::move(*sources);
  }
  if (filters->at_key("sourceOptions").get(v) == simdjson::SUCCESS && !v.is_object())
    return std::unexpected(bad(path + ".sourceOptions", "must be an object"));
  if (filters->at_key("watchDataInFieldIds").get(v) == simdjson::SUCCESS) {
    auto ids = strings(v, path + ".watchDataInFieldIds", std::nullopt);
    if (!ids) return std::unexpected(ids.error());
    if (auto ok = check_field_ids(base, spec, *ids, path + ".watchDataInFieldIds"); !ok)
      return std::unexpected(ok.error());
    spec.watch_data_field_ids = std::move(*ids);
  }
  if (filters->at_key("watchSchemasOfFieldIds").get(v) == simdjson::SUCCESS) {
    auto ids = strings(v, path + ".watchSchemasOfFieldIds", std::nullopt);
    if (!ids) return std::unexpected(ids.error());
    if (auto ok = check_field_ids(base, spec, *ids, path + ".watchSchemasOfFieldIds"); !ok)
      return std::unexpected(ok.error());
  }
  return {};
}

std::expected<void, ApiError> read_includes(element e, const Base& base, WebhookSpec& spec) {
  const std::string path = "specification.options.includes";
  auto includes = object_with(e, path,
                              {"includeCellValuesInFieldIds", "includePreviousCellValues",
                               "includePreviousFieldDefinitions"});
  if (!includes) return std::unexpected(includes.error());
  element v;
  bool flag = false;
  if (includes->at_key("includePreviousCellValues").get(v) == simdjson::SUCCESS) {
    if (v.get(flag) != simdjson::SUCCESS)
      return std::unexpected(bad(path + ".includePreviousCellValues", "must be a boolean"));
    spec.include_previous_cell_values = flag;
  }
  if (includes->at_key("includePreviousFieldDefinitions").get(v) == simdjson::SUCCESS &&
      v.get(flag) != simdjson::SUCCESS)
    return std::unexpected(bad(path + ".includePreviousFieldDefinitions", "must be a boolean"));
  if (includes->at_key("includeCellValuesInFieldIds").get(v) == simdjson::SUCCESS) {
    std::string_view all;
    if (v.get(all) == simdjson::SUCCESS) {
      if (all != "all")
        return std::unexpected(
            bad(path + ".includeCellValuesInFieldIds", "must be \"all\" or an array of field ids"));
      spec.include_all_cell_values = true;
    } else {
      auto ids = strings(v, path + ".includeCellValuesInFieldIds", std::nullopt);
      if (!ids) return std::unexpected(ids.error());
      if (auto ok = check_field_ids(base, spec, *ids, path + ".includeCellValuesInFieldIds"); !ok)
        return std::unexpected(ok.error());
      spec.include_cell_field_ids = std::move(*ids);
    }
  }
  return {};
}

}  // namespace

std::expected<WebhookSpec, ApiError> parse_specification(element specification, const Base& base) {
  auto spec_obj = object_with(specification, "specification", {"options"});
  if (!spec_obj) return std::unexpected(spec_obj.error());
  element options;
  if (spec_obj->at_key("options").get(options) != simdjson::SUCCESS)
    return std::unexpected(bad("specification.options", "is required"));
  auto options_obj = object_with(options, "specification.options", {"filters", "includes"});
  if (!options_obj) return std::unexpected(options_obj.error());
  WebhookSpec spec;
  element part;
  if (options_obj->at_key("filters").get(part) != simdjson::SUCCESS)
    return std::unexpected(bad("specification.options.filters", "is required"));
  if (auto ok = read_filters(part, base, spec); !ok) return std::unexpected(ok.error());
  if (options_obj->at_key("includes").get(part) == simdjson::SUCCESS) {
    if (auto ok = read_includes(part, base, spec); !ok) return std::unexpected(ok.error());
  }
  spec.json = simdjson::minify(specification);
  return spec;
}

std::expected<WebhookRequest, ApiError> parse_create_webhook(element body, const Base& base) {
  auto obj = object_with(body, "the request body", {"notificationUrl", "specification"});
  if (!obj) return std::unexpected(obj.error());
  WebhookRequest request;
  element v;
  if (obj->at_key("notificationUrl").get(v) == simdjson::SUCCESS && !v.is_null()) {
    std::string_view url;
    if (v.get(url) != simdjson::SUCCESS || !parse_http_url(url))
      return std::unexpected(bad("notificationUrl", "must be an absolute http or https URL"));
    request.notification_url = std::string(url);
  }
  if (obj->at_key("specification").get(v) != simdjson::SUCCESS)
    return std::unexpected(bad("specification", "is required"));
  auto spec = parse_specification(v, base);
  if (!spec) return std::unexpected(spec.error());
  request.spec = std::move(*spec);
  return request;
}

}  // namespace airtable_local

#include "cli/airtable_options.hpp"

#include "airreg/schema.hpp"

namespace airreg::cli {

const char* const kAirtableEnvHelp = R"(
Environment (a flag of the same meaning wins):
  AIRTABLE_API_KEY        personal access token (scopes: data.records:read,
                          data.records:write, schema.bases:read, schema.bases:write)
  AIRTABLE_BASE_ID        the base, e.g. appXXXXXXXXXXXXXX
  AIRTABLE_TABLE          registry table name (default "AI Model Registry")
  AIRTABLE_HISTORY_TABLE  history table name (default "Model Sync History")
  AIRTABLE_ENDPOINT_URL   API endpoint (default https://api.airtable.com)
  AIRREG_SCHEMA_DIR       where the schema files are (default: the bundled schema/)
)";

void add_airtable_options(cxxopts::Options& options) {
  options.add_options("Airtable")
    ("airtable-token", "personal access token (prefer AIRTABLE_API_KEY: flags show in ps)", cxxopts::value<std::string>())
    ("base", "base id (AIRTABLE_BASE_ID)", cxxopts::value<std::string>())
    ("table", "registry table name (AIRTABLE_TABLE)", cxxopts::value<std::string>())
    ("history-table", "history table name (AIRTABLE_HISTORY_TABLE)", cxxopts::value<std::string>())
    ("endpoint-url", "API endpoint (AIRTABLE_ENDPOINT_URL)", cxxopts::value<std::string>())
    ("schema-dir", "directory of the schema files (AIRREG_SCHEMA_DIR)", cxxopts::value<std::string>())
    ("ca-bundle", "CA bundle file for TLS (verification is always on)", cxxopts::value<std::string>())
    ("connect-timeout", "seconds to open a connection", cxxopts::value<double>()->default_value("10"))
    ("timeout", "seconds for one whole request", cxxopts::value<double>()->default_value("30"));
}

Result<AirtableSettings> airtable_settings(const cxxopts::ParseResult& args) {
  AirtableSettings s;
  s.airtable = AirtableConfig::from_environment();
  auto flag = [&](const char* name, std::string& target) {
    if (args.count(name)) target = args[name].as<std::string>();
  };
  flag("airtable-token", s.airtable.token);
  flag("base", s.airtable.base_id);
  flag("table", s.airtable.table);
  flag("history-table", s.airtable.history_table);
  flag("endpoint-url", s.airtable.endpoint_url);
  s.schema_dir = default_schema_dir();
  flag("schema-dir", s.schema_dir);
  flag("ca-bundle", s.transport.ca_bundle);
  auto seconds = [&](const char* name) {
    return std::chrono::milliseconds(static_cast<long>(args[name].as<double>() * 1000));
  };
  s.transport.connect_timeout = seconds("connect-timeout");
  s.transport.total_timeout = seconds("timeout");
  if (s.transport.connect_timeout.count() <= 0 || s.transport.total_timeout.count() <= 0)
    return std::unexpected(make_error(ErrorCode::config, "--connect-timeout and --timeout must be positive"));
  if (s.airtable.token.empty())
    return std::unexpected(make_error(ErrorCode::config,
                                      "no Airtable token: set AIRTABLE_API_KEY to a personal access token"));
  if (s.airtable.base_id.empty())
    return std::unexpected(make_error(ErrorCode::config, "no Airtable base: set AIRTABLE_BASE_ID (appXXXXXXXXXXXXXX)"));
  if (s.airtable.endpoint_url.rfind("http://", 0) != 0 && s.airtable.endpoint_url.rfind("https://", 0) != 0)
    return std::unexpected(make_error(ErrorCode::config, "AIRTABLE_ENDPOINT_URL must start with http:// or https://"));
  return s;
}

}  // namespace airreg::cli

#include "cli/airtable_options.hpp"

#include <cmath>
#include <cstdlib>

#include "airreg/outbox.hpp"
#include "airreg/schema.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

#include <iostream>

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
  AIRREG_MAX_RPS          requests per second to the base (default 5; a fleet splits it)
  AIRREG_STATE_DIR        the outbox's directory (default $XDG_STATE_HOME/airreg,
                          else ~/.local/state/airreg)
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
    ("timeout", "seconds for one whole request", cxxopts::value<double>()->default_value("30"))
    ("max-rps", "requests per second to the base, shared by every request of this process (AIRREG_MAX_RPS, default 5)",
     cxxopts::value<double>())
    ("state-dir", "directory of the outbox (AIRREG_STATE_DIR)", cxxopts::value<std::string>());
}

Result<std::filesystem::path> state_dir_setting(const cxxopts::ParseResult& args) {
  if (args.count("state-dir")) {
    std::string dir = args["state-dir"].as<std::string>();
    if (dir.empty()) return std::unexpected(make_error(ErrorCode::config, "--state-dir cannot be empty"));
    return std::filesystem::path(dir);
  }
  return default_state_dir();
}

namespace {

Result<double> max_rps_setting(const cxxopts::ParseResult& args) {
  double rps = 5;
  if (args.count("max-rps")) {
    rps = args["max-rps"].as<double>();
  } else if (const char* env = std::getenv("AIRREG_MAX_RPS"); env && *env) {
    char* end = nullptr;
    rps = std::strtod(env, &end);
    if (end == env || *end != '\0')
      return std::unexpected(make_error(ErrorCode::config, std::string("AIRREG_MAX_RPS is not a number: '") + env + "'"));
  }
  if (!(rps > 0) || !std::isfinite(rps))
    return std::unexpected(make_error(ErrorCode::config, "--max-rps must be a number above 0 (Airtable allows 5 per base)"));
  return rps;
}

}  // namespace

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
  auto rps = max_rps_setting(args);
  if (!rps) return std::unexpected(rps.error());
  s.airtable.max_requests_per_second = *rps;
  auto state = state_dir_setting(args);
  if (!state) return std::unexpected(state.error());
  s.state_dir = *state;
  if (s.airtable.token.empty())
    return std::unexpected(make_error(ErrorCode::config,
                                      "no Airtable token: set AIRTABLE_API_KEY to a personal access token"));
  if (s.airtable.base_id.empty())
    return std::unexpected(make_error(ErrorCode::config, "no Airtable base: set AIRTABLE_BASE_ID (appXXXXXXXXXXXXXX)"));
  if (s.airtable.endpoint_url.rfind("http://", 0) != 0 && s.airtable.endpoint_url.rfind("https://", 0) != 0)
    return std::unexpected(make_error(ErrorCode::config, "AIRTABLE_ENDPOINT_URL must start with http:// or https://"));
  return s;
}

std::expected<AirtableCommand, int> start_airtable_command(cxxopts::Options& options, const std::vector<std::string>& args,
                                                           const char* exit_help) {
  options.add_options()("h,help", "show this help");
  add_airtable_options(options);
  auto parsed = parse_args(options, args);
  if (!parsed) return std::unexpected(kExitUsage);
  if (parsed->count("help")) {
    std::cout << options.help() << kAirtableEnvHelp << "\n" << exit_help;
    return std::unexpected(kExitOk);
  }
  auto settings = airtable_settings(*parsed);
  if (!settings) return std::unexpected(report_error(settings.error()));
  return AirtableCommand{std::move(*parsed), std::move(*settings)};
}

}  // namespace airreg::cli

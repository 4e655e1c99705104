// The Airtable and HTTP options every command that talks to Airtable shares: flags, with
// environment variables as defaults (flags win). Fills plain config structs.
#pragma once

#include <cxxopts.hpp>
#include <expected>
#include <filesystem>
#include <string>
#include <vector>

#include "airreg/airtable_client.hpp"
#include "airreg/error.hpp"
#include "airreg/http_transport.hpp"

namespace airreg::cli {

void add_airtable_options(cxxopts::Options& options);

struct AirtableSettings {
  AirtableConfig airtable;
  TransportOptions transport;
  std::string schema_dir;
  std::filesystem::path state_dir;  // where the outbox lives
};

// A missing token or base id is a config error naming the variable to set.
Result<AirtableSettings> airtable_settings(const cxxopts::ParseResult& args);
// Only the state directory (--state-dir, else default_state_dir()), for commands that stay local.
Result<std::filesystem::path> state_dir_setting(const cxxopts::ParseResult& args);

extern const char* const kAirtableEnvHelp;

// The start every command that talks to Airtable shares: adds the Airtable flags, parses,
// answers --help (its text, the environment, then exit_help) and reads the settings. Either
// the parsed arguments with the settings, or the exit code to stop with (help was shown, or
// a flag or a setting was wrong and was reported).
struct AirtableCommand {
  cxxopts::ParseResult args;
  AirtableSettings settings;
};
std::expected<AirtableCommand, int> start_airtable_command(cxxopts::Options& options, const std::vector<std::string>& args,
                                                           const char* exit_help);

}  // namespace airreg::cli

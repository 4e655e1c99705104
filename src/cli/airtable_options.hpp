// The Airtable and HTTP options every command that talks to Airtable shares: flags, with
// environment variables as defaults (flags win). Fills plain config structs.
#pragma once

#include <cxxopts.hpp>
#include <string>

#include "airreg/airtable_client.hpp"
#include "airreg/error.hpp"
#include "airreg/http_transport.hpp"

namespace airreg::cli {

void add_airtable_options(cxxopts::Options& options);

struct AirtableSettings {
  AirtableConfig airtable;
  TransportOptions transport;
  std::string schema_dir;
};

// A missing token or base id is a config error naming the variable to set.
Result<AirtableSettings> airtable_settings(const cxxopts::ParseResult& args);

extern const char* const kAirtableEnvHelp;

}  // namespace airreg::cli

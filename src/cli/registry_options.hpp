// The registry's settings as flags of the commands that read through ModelRegistry (models,
// resolve, serve): one flag per RegistryOptions setting, with its AIRREG_ variable as the
// default (a flag wins). Built from registry/registry_settings, so the flags, the variables
// and their units cannot drift apart.
#pragma once

#include <cxxopts.hpp>

#include "airreg/model_registry.hpp"
#include "cli/airtable_options.hpp"

namespace airreg::cli {

void add_registry_options(cxxopts::Options& options);
// The variables, then the flags given; a config error names the bad flag or variable.
Result<RegistryOptions> registry_options(const cxxopts::ParseResult& args);

// The registry of a command: its Airtable settings, the discovery variables and `options`.
Result<std::unique_ptr<ModelRegistry>> open_registry(const AirtableCommand& command, RegistryOptions options);

// Only --redis-url, for the commands that write (sync, flush): they join the fleet to share
// its rate limit, take its write lease and announce what changed.
void add_redis_option(cxxopts::Options& options);
// --redis-url, else AIRREG_REDIS_URL, else "" (no fleet); a config error when it cannot work.
Result<std::string> redis_url(const cxxopts::ParseResult& args);

}  // namespace airreg::cli

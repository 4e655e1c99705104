#include "cli/registry_options.hpp"

#include <cstdlib>

#include "fleet/redis_url.hpp"
#include "registry/registry_settings.hpp"

namespace airreg::cli {

void add_registry_options(cxxopts::Options& options) {
  auto group = options.add_options("Registry (each also as its variable)");
  for (const auto& s : registry::registry_settings())
    group(s.flag, s.help + " [" + s.variable + "]", cxxopts::value<std::string>());
}

Result<RegistryOptions> registry_options(const cxxopts::ParseResult& args) {
  auto options = RegistryOptions::from_environment();
  if (!options) return options;
  for (const auto& s : registry::registry_settings()) {
    if (!args.count(s.flag)) continue;
    if (auto applied = registry::apply_setting(*options, s, args[s.flag].as<std::string>(), "--" + s.flag); !applied)
      return std::unexpected(applied.error());
  }
  return options;
}

Result<std::unique_ptr<ModelRegistry>> open_registry(const AirtableCommand& command, RegistryOptions options) {
  const AirtableSettings& settings = command.settings;
  auto schemas = RegistrySchemas::load(settings.schema_dir);
  if (!schemas) return std::unexpected(schemas.error());
  auto discovery = DiscoveryConfig::from_environment(settings.schema_dir);
  if (!discovery) return std::unexpected(discovery.error());
  options.state_dir = settings.state_dir;
  return ModelRegistry::create(settings.airtable, std::move(*discovery), std::move(*schemas), std::move(options),
                               make_curl_transport(settings.transport));
}

void add_redis_option(cxxopts::Options& options) {
  for (const auto& s : registry::registry_settings())
    if (s.flag == "redis-url") options.add_options()(s.flag, s.help + " [" + s.variable + "]", cxxopts::value<std::string>());
}

Result<std::string> redis_url(const cxxopts::ParseResult& args) {
  std::string url;
  if (args.count("redis-url")) {
    url = args["redis-url"].as<std::string>();
  } else if (const char* v = std::getenv("AIRREG_REDIS_URL")) {
    url = v;
  }
  if (url.empty()) return url;
  if (auto parsed = fleet::parse_redis_url(url); !parsed) return std::unexpected(parsed.error());
  return url;
}

}  // namespace airreg::cli

// airreg serve: the registry over HTTP (src/serve), for servers in any language and the chat
// front ends that read OpenAI's model list. Binds, says so in one line on stdout, serves until
// SIGINT or SIGTERM, then lets the requests in flight finish, flushes the write-back within its
// deadline (the rest stays in the outbox) and exits 0.
#include <signal.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <cstdlib>
#include <sstream>
#include <thread>

#include "airreg/model_registry.hpp"
#include "airreg/sync.hpp"
#include "airreg/version.hpp"
#include "cli/airtable_options.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"
#include "cli/registry_options.hpp"
#include "core/duration_text.hpp"
#include "fleet/fleet.hpp"
#include "serve/http_server.hpp"
#include "serve/router.hpp"
#include "registry/snapshot_store.hpp"
#include "serve/sync_scheduler.hpp"
#include "serve/webhook_manager.hpp"

namespace airreg::cli {

namespace {

struct Listen {
  std::string host = "127.0.0.1";
  int port = 8787;
};

// "HOST:PORT", "HOST", ":PORT" or "[::1]:PORT".
Result<Listen> parse_listen(const std::string& text) {
  Listen l;
  std::string port;
  if (!text.empty() && text.front() == '[') {
    auto close = text.find(']');
    if (close == std::string::npos) return std::unexpected(make_error(ErrorCode::invalid_argument, "--listen has an unclosed ["));
    l.host = text.substr(0, close + 1);
    if (close + 1 < text.size()) {
      if (text[close + 1] != ':') return std::unexpected(make_error(ErrorCode::invalid_argument, "--listen must be HOST:PORT"));
      port = text.substr(close + 2);
    }
  } else {
    auto colon = text.rfind(':');
    if (colon == std::string::npos) {
      l.host = text;
    } else {
      if (colon > 0) l.host = text.substr(0, colon);
      port = text.substr(colon + 1);
    }
  }
  if (!port.empty()) {
    char* end = nullptr;
    long p = std::strtol(port.c_str(), &end, 10);
    if (*end != '\0' || p < 0 || p > 65535)
      return std::unexpected(make_error(ErrorCode::invalid_argument, "--listen's port must be 0 to 65535, not " + port));
    l.port = static_cast<int>(p);
  }
  if (l.host.empty()) return std::unexpected(make_error(ErrorCode::invalid_argument, "--listen needs a host"));
  return l;
}

std::vector<std::string> split_commas(const char* text) {
  std::vector<std::string> out;
  if (!text) return out;
  std::stringstream in(text);
  for (std::string item; std::getline(in, item, ',');)
    if (!item.empty()) out.push_back(item);
  return out;
}

std::shared_ptr<spdlog::logger> make_logger() {
  auto logger = std::make_shared<spdlog::logger>("airreg", std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %l %v");
  return logger;
}

// The scheduled job: a sync of every provider with a key whose listing is older than about
// the period (so that --sync-every 6h asks every 6 hours, not every 24), then this process's
// answers of the providers that changed are loaded again (the fleet's, through Redis).
void scheduled_sync(const AirtableCommand& command, const RegistryOptions& options, std::chrono::milliseconds period,
                    ModelRegistry& registry, const std::shared_ptr<spdlog::logger>& logger) {
  const AirtableSettings& settings = command.settings;
  auto schemas = RegistrySchemas::load(settings.schema_dir);
  auto discovery_config = DiscoveryConfig::from_environment(settings.schema_dir);
  if (!schemas || !discovery_config) {
    logger->error("scheduled sync: {}", (!schemas ? schemas.error() : discovery_config.error()).describe());
    return;
  }
  schemas->registry.name = settings.airtable.table;
  schemas->history.name = settings.airtable.history_table;
  auto transport = make_curl_transport(settings.transport);
  discovery_config->keep_skipped = false;  // a sync never reads them
  auto discovery = Discovery::create(std::move(*discovery_config), transport);
  if (!discovery) {
    logger->error("scheduled sync: {}", discovery.error().describe());
    return;
  }
  SyncOptions sync;
  sync.redis_url = options.redis_url;
  sync.new_status = options.new_status;
  sync.grace = options.grace;
  sync.verify_interval = options.verify_interval;
  sync.instance = options.instance;
  sync.fresh_for = std::chrono::duration_cast<std::chrono::hours>(period * 0.9);
  sync.force = sync.fresh_for.count() == 0;
  SyncRunner runner(AirtableClient(settings.airtable, transport), std::make_shared<Outbox>(settings.state_dir), **discovery,
                    std::move(*schemas));
  SyncReport report = runner.run(sync);
  std::vector<std::string> changed;
  for (const auto& p : report.providers) {
    logger->info("scheduled sync: {} {} {} (new {}, updated {}, missing {})", p.provider, to_string(p.category),
                 to_string(p.outcome), p.created, p.updated, p.missing);
    if (p.created + p.updated + p.missing + p.deprecated > 0) changed.push_back(p.provider);
  }
  for (const auto& w : report.warnings) logger->warn("scheduled sync: {}", w);
  if (!changed.empty()) registry.invalidate(changed);
}

// serve's own connection to the fleet (the scheduler's claims, the webhook's lease and cursor).
std::shared_ptr<fleet::Fleet> fleet_for(const AirtableCommand& command, const RegistryOptions& options,
                                        const std::shared_ptr<spdlog::logger>& logger) {
  auto connected = fleet::connect_fleet(fleet::fleet_config(options.redis_url, command.settings.airtable.base_id,
                                                            options.instance.empty() ? "serve" : options.instance,
                                                            command.settings.airtable.max_requests_per_second, logger));
  return connected ? *connected : fleet::local_fleet("serve");
}

// The registry table's id, from the binding the registry kept in the state directory.
std::string registry_table_id(const AirtableCommand& command) {
  auto schemas = RegistrySchemas::load(command.settings.schema_dir);
  if (!schemas) return "";
  auto bound = registry::SnapshotStore(command.settings.state_dir).load_binding(command.settings.airtable.base_id, *schemas);
  return bound ? bound->registry.table() : "";
}

// Every provider in the table answered once (text: TTS answers are loaded when first asked
// for, since most providers have none), so that the first requests are hits.
void warm_up(ModelRegistry& registry) {
  for (const auto& provider : registry.providers()) (void)registry.models(provider, ModelCategory::text);
}

}  // namespace

int serve_command(const Args& args) {
  // Every thread made from here on leaves SIGINT and SIGTERM to the one that waits for them.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  cxxopts::Options options("airreg serve", "The registry over HTTP: JSON, OpenAI's model list, metrics and a status page.");
  options.add_options()
    ("listen", "address to listen on, HOST:PORT (a non-loopback host needs --token)", cxxopts::value<std::string>()->default_value("127.0.0.1:8787"))
    ("port", "the port, overriding --listen's (0: any free port)", cxxopts::value<int>())
    ("token", "a bearer token clients must send (repeatable; also AIRREG_SERVE_TOKENS, comma-separated)", cxxopts::value<std::vector<std::string>>())
    ("sync-every", "run a sync of every provider on this period, e.g. 6h (with Redis: one instance per period)", cxxopts::value<std::string>())
    ("public-url", "this server's URL as Airtable can reach it (https://...): an Airtable webhook tells it every change to the table", cxxopts::value<std::string>())
    ("webhook-check", "how often one instance of the fleet asks Airtable whether the webhook is still there (one call; a webhook deleted by hand sends nothing), e.g. 12h; 0: never", cxxopts::value<std::string>()->default_value("12h"))
    ("threads", "requests served at once", cxxopts::value<int>()->default_value("32"))
    ("max-queue", "requests waiting for a thread; beyond, 503 with Retry-After", cxxopts::value<int>()->default_value("1024"))
    ("max-connections", "connections open at once; beyond, 503 with Retry-After", cxxopts::value<int>()->default_value("10000"))
    ("request-timeout", "seconds a client has to send a request, and to take the answer", cxxopts::value<int>()->default_value("10"))
    ("idle-timeout", "seconds an idle keep-alive connection stays open", cxxopts::value<int>()->default_value("5"));
  add_registry_options(options);
  auto command = start_airtable_command(options, args,
                                        "Prints `airreg serve listening on http://HOST:PORT` when ready; stops on SIGINT or SIGTERM.\n"
                                        "Exit codes: 0 stopped, 1 runtime error, 2 usage or configuration error.\n");
  if (!command) return command.error();
  const auto& parsed = command->args;

  auto listen = parse_listen(parsed["listen"].as<std::string>());
  if (!listen) return report_error(listen.error());
  if (parsed.count("port")) listen->port = parsed["port"].as<int>();
  if (listen->port < 0 || listen->port > 65535) return report_error(make_error(ErrorCode::invalid_argument, "--port must be 0 to 65535"));
  std::vector<std::string> tokens = split_commas(std::getenv("AIRREG_SERVE_TOKENS"));
  if (parsed.count("token"))
    for (const auto& t : parsed["token"].as<std::vector<std::string>>()) tokens.push_back(t);
  for (const auto& t : tokens)
    if (t.size() < 16)
      return report_error(make_error(ErrorCode::config, "a serve token must be at least 16 characters long"));
  if (!serve::is_loopback_address(listen->host) && tokens.empty())
    return report_error(make_error(ErrorCode::config, "airreg serve will not listen on " + listen->host +
                                                          " without a token: pass --token or set AIRREG_SERVE_TOKENS"));
  int threads = parsed["threads"].as<int>();
  if (threads < 1 || threads > 1024) return report_error(make_error(ErrorCode::invalid_argument, "--threads must be 1 to 1024"));
  int max_queue = parsed["max-queue"].as<int>();
  int max_connections = parsed["max-connections"].as<int>();
  if (max_queue < 0 || max_queue > 100000 || max_connections < 1 || max_connections > 1000000)
    return report_error(make_error(ErrorCode::invalid_argument, "--max-queue must be 0 to 100000 and --max-connections 1 to 1000000"));
  int request_timeout = parsed["request-timeout"].as<int>();
  int idle_timeout = parsed["idle-timeout"].as<int>();
  if (request_timeout < 1 || request_timeout > 3600 || idle_timeout < 1 || idle_timeout > 3600)
    return report_error(make_error(ErrorCode::invalid_argument, "--request-timeout and --idle-timeout must be 1 to 3600 seconds"));
  std::chrono::milliseconds sync_every{0};
  if (parsed.count("sync-every")) {
    auto every = core::parse_duration(parsed["sync-every"].as<std::string>(), std::chrono::hours(1));
    if (!every || *every < std::chrono::minutes(1))
      return report_error(make_error(ErrorCode::invalid_argument, "--sync-every must be a duration of at least 1m, such as 6h"));
    sync_every = *every;
  }

  std::string public_url = parsed.count("public-url") ? parsed["public-url"].as<std::string>() : "";
  if (!public_url.empty() && public_url.rfind("https://", 0) != 0 && public_url.rfind("http://127.0.0.1", 0) != 0 &&
      public_url.rfind("http://localhost", 0) != 0)
    return report_error(make_error(ErrorCode::invalid_argument, "--public-url must be an https:// URL Airtable can reach"));

  auto webhook_check = core::parse_duration(parsed["webhook-check"].as<std::string>(), std::chrono::hours(1));
  if (!webhook_check || (webhook_check->count() > 0 && *webhook_check < std::chrono::seconds(1)))
    return report_error(make_error(ErrorCode::invalid_argument, "--webhook-check must be a duration of at least 1s, such as 12h, or 0"));

  auto logger = make_logger();
  auto registry_settings = registry_options(parsed);
  if (!registry_settings) return report_error(registry_settings.error());
  registry_settings->logger = logger;
  auto registry = open_registry(*command, *registry_settings);
  if (!registry) return report_error(registry.error());

  serve::Metrics metrics;
  serve::Router router(**registry, metrics, serve::RouterConfig{tokens, std::chrono::seconds(60), 64 * 1024, kVersion});
  serve::ServerOptions server_options;
  server_options.host = listen->host;
  server_options.port = listen->port;
  server_options.threads = static_cast<size_t>(threads);
  server_options.max_queue = static_cast<size_t>(max_queue);
  server_options.max_connections = static_cast<size_t>(max_connections);
  server_options.header_timeout = std::chrono::seconds(request_timeout);
  server_options.write_timeout = std::chrono::seconds(request_timeout);
  server_options.keep_alive = std::chrono::seconds(idle_timeout);
  serve::HttpServer server(router, server_options, logger);
  auto port = server.bind();
  if (!port) return report_error(port.error());
  std::printf("airreg serve listening on http://%s:%d\n", listen->host.c_str(), *port);
  std::fflush(stdout);

  // Made now so that its route exists from the first request; started once the warm-up has
  // bound the table (its id is in the state directory then).
  std::unique_ptr<serve::WebhookManager> webhooks;
  if (!public_url.empty()) {
    // The registry's client: the webhook's calls are paced and counted with the registry's.
    auto client = (*registry)->airtable_client();
    webhooks = std::make_unique<serve::WebhookManager>(
        client ? *client : AirtableClient(command->settings.airtable, make_curl_transport(command->settings.transport)), **registry,
        fleet_for(*command, *registry_settings, logger), public_url, command->settings.state_dir, logger, *webhook_check);
    router.add_route(serve::Route::webhook, "/airtable/webhook",
                     [&](const serve::ServeRequest& r) -> std::optional<serve::ServeResponse> { return webhooks->ping(r); });
  }

  std::thread signals([&] {
    int received = 0;
    sigwait(&stop_signals, &received);
    logger->info("stopping ({}): finishing the requests in flight", received == SIGINT ? "SIGINT" : "SIGTERM");
    server.stop();
  });
  std::thread warming([&] {
    warm_up(**registry);
    if (!webhooks) return;
    if (auto started = webhooks->start(registry_table_id(*command)); !started) {
      // Without the webhook the table is revalidated instead: slower to see an edit, never wrong.
      logger->error("the Airtable webhook could not be set up ({}); revalidating the table instead",
                    started.error().describe());
    }
  });

  std::unique_ptr<serve::SyncScheduler> scheduler;
  if (sync_every.count() > 0) {
    scheduler = std::make_unique<serve::SyncScheduler>(
        [&] { scheduled_sync(*command, *registry_settings, sync_every, **registry, logger); }, sync_every,
        fleet_for(*command, *registry_settings, logger), logger);
  }

  server.run();
  // The signal thread ends with the server's stop; if the server ended otherwise, wake it.
  pthread_kill(signals.native_handle(), SIGTERM);
  signals.join();
  warming.join();
  scheduler.reset();
  webhooks.reset();
  // The write-back flushes for at most flush_timeout; what is left stays in the outbox.
  registry->reset();
  logger->info("stopped");
  return kExitOk;
}

}  // namespace airreg::cli

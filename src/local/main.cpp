// airtable-local: a local server that speaks the Airtable Web API (records, meta, webhooks),
// for the demo and the integration tests. See docs/airtable-local.md.
#include <csignal>
#include <cxxopts.hpp>
#include <iostream>
#include <sstream>
#include <thread>

#include "http_ping_sender.hpp"
#include "http_server.hpp"
#include "service.hpp"
#include "store_file.hpp"

using namespace airtable_local;

namespace {

std::vector<std::string> split_commas(const char* text) {
  std::vector<std::string> out;
  if (!text) return out;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ','))
    if (!item.empty()) out.push_back(item);
  return out;
}

struct Config {
  int port = 0;
  ServiceOptions service;
  FaultOptions faults;
  std::string request_log;  // --request-log FILE; empty: none
};

Config parse(int argc, char** argv) {
  cxxopts::Options cli("airtable-local", "A local server that speaks the Airtable Web API.");
  cli.add_options()
    ("port", "port on 127.0.0.1 (0 = any free port)", cxxopts::value<int>()->default_value("0"))
    ("data", "data file (JSON, created if missing; empty = memory only)", cxxopts::value<std::string>()->default_value(""))
    ("token", "accepted bearer token (repeatable; default: $AIRTABLE_LOCAL_TOKENS, comma-separated, else any non-empty token)", cxxopts::value<std::vector<std::string>>())
    ("base", "base id that exists (repeatable)", cxxopts::value<std::vector<std::string>>()->default_value("appLOCALBASE00001"))
    ("rate-limit", "requests per second per base (0 = off)", cxxopts::value<int>()->default_value("5"))
    ("penalty-seconds", "seconds a base answers 429 after the limit was passed", cxxopts::value<double>()->default_value("30"))
    ("retry-after", "429s carry Retry-After with the seconds left of the penalty (Airtable sends none)")
    ("monthly-quota", "authenticated calls answered before every further one gets 429 PUBLIC_API_BILLING_LIMIT_EXCEEDED (0 = unlimited; counted in the data file, never reset)",
     cxxopts::value<uint64_t>()->default_value("0"))
    ("latency-ms", "added latency per request (ms)", cxxopts::value<int>()->default_value("0"))
    ("fail-rate", "share of requests answered 500/502/503", cxxopts::value<double>()->default_value("0"))
    ("drop-rate", "share of requests handled, then closed without an answer", cxxopts::value<double>()->default_value("0"))
    ("truncate-rate", "share of answers cut short", cxxopts::value<double>()->default_value("0"))
    ("seed", "seed for the fault generator and ids (repeatable runs)", cxxopts::value<uint64_t>())
    ("request-log", "append one JSON line per answered request to this file (time, method, path, status)",
     cxxopts::value<std::string>()->default_value(""))
    ("h,help", "show this help");
  auto args = cli.parse(argc, argv);
  if (args.count("help")) {
    std::cout << cli.help() << "\nPrints one line when ready: airtable-local listening on "
                                "http://127.0.0.1:PORT\nStops on SIGINT or SIGTERM, saving the data file.\n";
    std::exit(0);
  }
  if (!args.unmatched().empty()) throw cxxopts::exceptions::exception("unexpected argument: " + args.unmatched().front());
  Config c;
  c.port = args["port"].as<int>();
  if (c.port < 0 || c.port > 65535) throw cxxopts::exceptions::exception("--port must be 0 to 65535");
  c.service.data_path = args["data"].as<std::string>();
  c.service.tokens = args.count("token") ? args["token"].as<std::vector<std::string>>()
                                         : split_commas(std::getenv("AIRTABLE_LOCAL_TOKENS"));
  c.service.base_ids = args["base"].as<std::vector<std::string>>();
  c.service.rate_limit = args["rate-limit"].as<int>();
  double penalty = args["penalty-seconds"].as<double>();
  if (c.service.rate_limit < 0 || penalty < 0)
    throw cxxopts::exceptions::exception("--rate-limit and --penalty-seconds cannot be negative");
  c.service.penalty = std::chrono::milliseconds(static_cast<long>(penalty * 1000));
  c.service.retry_after = args.count("retry-after") > 0;
  c.service.monthly_quota = args["monthly-quota"].as<uint64_t>();
  c.service.ping_sender = send_ping_with_httplib;
  c.faults.latency_ms = args["latency-ms"].as<int>();
  c.faults.fail_rate = args["fail-rate"].as<double>();
  c.faults.drop_rate = args["drop-rate"].as<double>();
  c.faults.truncate_rate = args["truncate-rate"].as<double>();
  for (double rate : {c.faults.fail_rate, c.faults.drop_rate, c.faults.truncate_rate})
    if (rate < 0 || rate > 1) throw cxxopts::exceptions::exception("fault rates must be between 0 and 1");
  if (c.faults.fail_rate + c.faults.drop_rate + c.faults.truncate_rate > 1)
    throw cxxopts::exceptions::exception("the fault rates add up to more than 1");
  c.request_log = args["request-log"].as<std::string>();
  if (args.count("seed")) {
    c.faults.seed = args["seed"].as<uint64_t>();
    c.service.seed = c.faults.seed;
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  Config config;
  try {
    config = parse(argc, argv);
  } catch (const std::exception& e) {
    std::cerr << "airtable-local: " << e.what() << " (see --help)\n";
    return 2;
  }
  auto store = load_store(config.service.data_path);
  if (!store) {
    std::cerr << "airtable-local: cannot read the data file " << store.error() << "\n";
    return 1;
  }
  // Block the stop signals in every thread; one thread waits for them and stops the server.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  std::signal(SIGPIPE, SIG_IGN);

  Service service(config.service, std::move(*store));
  service.save();  // creates the data file at once, so a caller can see where it lives
  RequestLog log;
  if (!config.request_log.empty() && !log.open(config.request_log)) {
    std::cerr << "airtable-local: cannot open the request log " << config.request_log << "\n";
    return 1;
  }
  HttpServer server(service, config.faults, config.request_log.empty() ? nullptr : &log);
  int port = server.bind(config.port);
  if (port <= 0) {
    std::cerr << "airtable-local: cannot listen on 127.0.0.1:" << config.port << "\n";
    return 1;
  }
  std::thread waiter([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.stop();
  });
  std::cout << "airtable-local listening on http://127.0.0.1:" << port << std::endl;
  bool ok = server.run();
  if (!ok) {
    // Serving failed before any signal: wake the waiter so the process can end.
    pthread_kill(waiter.native_handle(), SIGTERM);
  }
  waiter.join();
  service.save();
  return ok ? 0 : 1;
}

#include <iostream>
#include <map>

#include "airreg/version.hpp"
#include "cli/commands.hpp"
#include "cli/exit_codes.hpp"

namespace airreg::cli {

namespace {

const char* kUsage = R"(airreg - keeps a shared registry of AI models in Airtable in sync with the providers.

Usage: airreg <command> [options]      airreg <command> --help for its options

Commands:
  setup      create the registry and history tables in the base (idempotent)
  discover   ask the providers which models they offer (writes nothing; tests your keys)
  sync       ask the providers, merge with the table by its ownership rules, write changes
  models     the models a server may use now (--all: every row with its status)
  resolve    which model to use for PROVIDER MODEL, and which rule chose it
  history    the latest sync runs, newest first
  serve      the registry over HTTP: JSON, OpenAI's /v1/models, /metrics, a status page
  webhook    list the base's Airtable webhooks, or remove the one serve --public-url made
  flush      write the rows waiting in the outbox to Airtable
  status     show how many rows wait in the outbox, and since when (alias: outbox)
  help       show this text
  version    print the version

Exit codes:
  0  done, or nothing to do
  1  runtime error (network, Airtable, disk), or a provider did not answer (discover)
  2  usage or configuration error
  3  some provider or row failed (sync, flush)
  4  the table differs from schema/ in a way a person must resolve (setup)
)";

}  // namespace

std::optional<cxxopts::ParseResult> parse_args(cxxopts::Options& options, const Args& args) {
  std::vector<const char*> argv{options.program().c_str()};
  for (const auto& a : args) argv.push_back(a.c_str());
  try {
    auto parsed = options.parse(static_cast<int>(argv.size()), argv.data());
    if (!parsed.unmatched().empty()) {
      std::cerr << options.program() << ": unexpected argument '" << parsed.unmatched().front() << "' (see --help)\n";
      return std::nullopt;
    }
    return parsed;
  } catch (const cxxopts::exceptions::exception& e) {
    std::cerr << options.program() << ": " << e.what() << " (see --help)\n";
    return std::nullopt;
  }
}

int report_error(const Error& error) {
  std::cerr << "airreg: " << error.describe() << "\n";
  return error.code == ErrorCode::config || error.code == ErrorCode::invalid_argument ? kExitUsage : kExitRuntime;
}

int run(int argc, char** argv) {
  Args args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "help" || args[0] == "--help" || args[0] == "-h") {
    std::cout << kUsage;
    return args.empty() ? kExitUsage : kExitOk;
  }
  if (args[0] == "version" || args[0] == "--version") {
    std::cout << "airreg " << kVersion << "\n";
    return kExitOk;
  }
  static const std::map<std::string, int (*)(const Args&)> kCommands{
      {"setup", &setup_command}, {"flush", &flush_command}, {"status", &status_command}, {"outbox", &status_command},
      {"discover", &discover_command}, {"sync", &sync_command}, {"models", &models_command},
      {"resolve", &resolve_command}, {"history", &history_command}, {"serve", &serve_command}, {"webhook", &webhook_command}};
  if (auto it = kCommands.find(args[0]); it != kCommands.end()) {
    try {
      return it->second(Args(args.begin() + 1, args.end()));
    } catch (const std::exception& e) {
      std::cerr << "airreg " << args[0] << ": " << e.what() << "\n";
      return kExitRuntime;
    }
  }
  std::cerr << "airreg: unknown command '" << args[0] << "' (see airreg --help)\n";
  return kExitUsage;
}

}  // namespace airreg::cli

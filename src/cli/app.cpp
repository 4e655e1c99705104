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
  help       show this text
  version    print the version

Exit codes:
  0  done, or nothing to do
  1  runtime error (network, Airtable, disk)
  2  usage or configuration error
  3  some provider or row failed (sync)
  4  the table differs from schema/ in a way a person must resolve (setup)
)";

}  // namespace

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
  std::cerr << "airreg: unknown command '" << args[0] << "' (see airreg --help)\n";
  return kExitUsage;
}

}  // namespace airreg::cli

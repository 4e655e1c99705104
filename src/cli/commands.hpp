// The airreg subcommands. Each takes the arguments after its name and returns an exit code;
// exceptions stop here (this is the CLI boundary).
#pragma once

#include <cxxopts.hpp>
#include <optional>
#include <string>
#include <vector>

#include "airreg/error.hpp"

namespace airreg::cli {

using Args = std::vector<std::string>;

int run(int argc, char** argv);
int setup_command(const Args& args);
int flush_command(const Args& args);
int status_command(const Args& args);
int discover_command(const Args& args);
int sync_command(const Args& args);
int models_command(const Args& args);
int resolve_command(const Args& args);
int history_command(const Args& args);
int serve_command(const Args& args);
int webhook_command(const Args& args);

// Parses a subcommand's arguments; on a bad flag prints what and why and returns nothing.
std::optional<cxxopts::ParseResult> parse_args(cxxopts::Options& options, const Args& args);
// Prints the error (never a secret) and returns its exit code: 2 for configuration and
// usage errors, 1 for the rest.
int report_error(const Error& error);

}  // namespace airreg::cli

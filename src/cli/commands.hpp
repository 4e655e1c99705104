// The airreg subcommands. Each takes the arguments after its name and returns an exit code;
// exceptions stop here (this is the CLI boundary).
#pragma once

#include <string>
#include <vector>

namespace airreg::cli {

using Args = std::vector<std::string>;

int run(int argc, char** argv);

}  // namespace airreg::cli

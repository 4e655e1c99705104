// The airreg command's exit codes (documented in --help and README.md).
#pragma once

namespace airreg::cli {

enum ExitCode : int {
  kExitOk = 0,         // done, or nothing to do
  kExitRuntime = 1,    // a runtime error (network, Airtable, disk)
  kExitUsage = 2,      // usage or configuration error
  kExitPartial = 3,    // some provider or row failed (sync)
  kExitDrift = 4,      // the table differs from schema/ in a way a person must resolve
};

}  // namespace airreg::cli

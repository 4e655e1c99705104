// Shows a writer's progress: a bar redrawn in place on a terminal, plain lines otherwise
// (every 10 % or 5 seconds), on stderr so stdout stays the result. Not thread-safe: the
// writer calls it from the flushing thread only.
#pragma once

#include <chrono>
#include <cstdio>

#include "airreg/batch_writer.hpp"

namespace airreg::cli {

class ProgressDisplay {
 public:
  explicit ProgressDisplay(std::FILE* out = stderr);
  void update(const WriteProgress& p);
  // Ends the bar's line (on a terminal); prints nothing otherwise.
  void finish();
  ProgressCallback callback() {
    return [this](const WriteProgress& p) { update(p); };
  }

 private:
  std::FILE* out_;
  bool terminal_;
  bool drawn_ = false;
  size_t last_tenth_ = 0;
  std::chrono::steady_clock::time_point last_line_;
};

}  // namespace airreg::cli

#include "cli/progress_display.hpp"

#include <unistd.h>

#include <string>

namespace airreg::cli {

namespace {

std::string counters(const WriteProgress& p) {
  return std::to_string(p.rows_done) + "/" + std::to_string(p.rows_total) + " rows, " + std::to_string(p.requests) +
         " requests, " + std::to_string(p.retries) + " retries, " + std::to_string(p.rate_limited) + " 429s";
}

}  // namespace

ProgressDisplay::ProgressDisplay(std::FILE* out)
    : out_(out), terminal_(::isatty(::fileno(out)) != 0), last_line_(std::chrono::steady_clock::now()) {}

void ProgressDisplay::update(const WriteProgress& p) {
  if (terminal_) {
    constexpr size_t kWidth = 30;
    size_t filled = p.rows_total ? kWidth * p.rows_done / p.rows_total : 0;
    std::fprintf(out_, "\r[%s%s] %s\x1b[K", std::string(filled, '#').c_str(), std::string(kWidth - filled, ' ').c_str(),
                 counters(p).c_str());
    std::fflush(out_);
    drawn_ = true;
    return;
  }
  size_t tenth = p.rows_total ? 10 * p.rows_done / p.rows_total : 0;
  auto now = std::chrono::steady_clock::now();
  if (tenth > last_tenth_ || now - last_line_ >= std::chrono::seconds(5)) {
    std::fprintf(out_, "writing: %s\n", counters(p).c_str());
    last_tenth_ = tenth;
    last_line_ = now;
  }
}

void ProgressDisplay::finish() {
  if (terminal_ && drawn_) std::fputc('\n', out_);
  drawn_ = false;
}

}  // namespace airreg::cli

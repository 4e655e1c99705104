// Files that survive a crash: appends and whole-file replacements that are on disk when the
// call returns (fsync of the file, and of the directory for a rename), plus an advisory lock
// (flock) for processes sharing a state directory. Errors name the path and the reason.
#pragma once

#include <chrono>
#include <filesystem>
#include <stop_token>
#include <string>
#include <string_view>

#include "airreg/error.hpp"

namespace airreg::core {

// Creates the directory and its parents (mode 0700 for what it creates).
Result<void> make_private_dir(const std::filesystem::path& dir);
// make_private_dir, then refuses (as ssh does with ~/.ssh) a directory that another user owns,
// that group or others may write, or that is a symbolic link: what airreg keeps there (rows
// on their way to Airtable, snapshots) must not be planted or changed by someone else.
Result<void> make_state_dir(const std::filesystem::path& dir);
// Appends text (mode 0600 when the file is new). If the file does not end with a newline
// (a write cut short by a crash), one is added first so the torn line stays on its own.
Result<void> append_durably(const std::filesystem::path& file, std::string_view text);
// Writes a temporary file beside it (a name unique to the call, so threads and processes
// replacing one file at once never share it), fsyncs, renames over the target and fsyncs the
// directory. Never follows a symbolic link at the target's place.
Result<void> replace_durably(const std::filesystem::path& file, std::string_view text);
// The whole file; a missing file is empty.
Result<std::string> read_text(const std::filesystem::path& file);

// Holds an exclusive flock on a file (created if missing) while it lives.
class FileLock {
 public:
  static Result<FileLock> acquire(const std::filesystem::path& file);
  // Gives up (ErrorCode::timeout) once `timeout` passed with another process holding it, or
  // (ErrorCode::cancelled) as soon as `stop` is requested: a process shutting down must not
  // wait for a cron job's lock.
  static Result<FileLock> acquire_within(const std::filesystem::path& file, std::chrono::milliseconds timeout,
                                         const std::stop_token& stop = {});
  FileLock(FileLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  FileLock& operator=(FileLock&&) = delete;
  ~FileLock();

 private:
  explicit FileLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace airreg::core

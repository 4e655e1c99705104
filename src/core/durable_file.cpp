#include "core/durable_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>

namespace airreg::core {

namespace {

Error io_error(const std::string& what, const std::filesystem::path& path) {
  return make_error(ErrorCode::io, what + " " + path.string() + ": " + std::strerror(errno));
}

// Closes the descriptor on every path out.
struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

bool write_all(int fd, std::string_view text) {
  while (!text.empty()) {
    ssize_t n = ::write(fd, text.data(), text.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    text.remove_prefix(static_cast<size_t>(n));
  }
  return true;
}

Result<void> sync_dir(const std::filesystem::path& dir) {
  Fd d{::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0 || ::fsync(d.fd) != 0) return std::unexpected(io_error("cannot sync the directory", dir));
  return {};
}

}  // namespace

Result<void> make_private_dir(const std::filesystem::path& dir) {
  std::error_code ec;
  if (std::filesystem::is_directory(dir, ec)) return {};
  if (dir.has_parent_path() && dir.parent_path() != dir) {
    if (auto parent = make_private_dir(dir.parent_path()); !parent) return parent;
  }
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return std::unexpected(io_error("cannot create", dir));
  return {};
}

Result<void> make_state_dir(const std::filesystem::path& dir) {
  if (auto made = make_private_dir(dir); !made) return made;
  struct stat st {};
  if (::lstat(dir.c_str(), &st) != 0) return std::unexpected(io_error("cannot inspect", dir));
  if (S_ISLNK(st.st_mode))
    return std::unexpected(make_error(ErrorCode::config, "the state directory " + dir.string() +
                                                             " is a symbolic link; give the real directory"));
  if (!S_ISDIR(st.st_mode))
    return std::unexpected(make_error(ErrorCode::config, "the state directory " + dir.string() + " is not a directory"));
  if (st.st_uid != ::geteuid())
    return std::unexpected(make_error(ErrorCode::config, "the state directory " + dir.string() +
                                                             " belongs to another user (uid " + std::to_string(st.st_uid) +
                                                             "); use a directory of your own"));
  if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%03o", static_cast<unsigned>(st.st_mode & 0777));
    return std::unexpected(make_error(ErrorCode::config, "the state directory " + dir.string() +
                                                             " may be written by others (mode " + mode +
                                                             "): chmod 700 " + dir.string()));
  }
  return {};
}

Result<void> append_durably(const std::filesystem::path& file, std::string_view text) {
  Fd f{::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0600)};
  if (f.fd < 0) return std::unexpected(io_error("cannot open", file));
  off_t size = ::lseek(f.fd, 0, SEEK_END);
  if (size > 0) {
    char last = '\n';
    if (::pread(f.fd, &last, 1, size - 1) == 1 && last != '\n' && !write_all(f.fd, "\n"))
      return std::unexpected(io_error("cannot write", file));
  }
  if (!write_all(f.fd, text)) return std::unexpected(io_error("cannot write", file));
  if (::fsync(f.fd) != 0) return std::unexpected(io_error("cannot sync", file));
  return {};
}

Result<void> replace_durably(const std::filesystem::path& file, std::string_view text) {
  static std::atomic<unsigned long> counter{0};
  std::filesystem::path temp = file;
  temp += ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  {
    // O_EXCL: the name is ours alone; a file already there (a leftover, or planted) fails.
    Fd f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600)};
    if (f.fd < 0) return std::unexpected(io_error("cannot create", temp));
    if (!write_all(f.fd, text) || ::fsync(f.fd) != 0) {
      Error e = io_error("cannot write", temp);
      ::unlink(temp.c_str());
      return std::unexpected(e);
    }
  }
  if (::rename(temp.c_str(), file.c_str()) != 0) {
    Error e = io_error("cannot replace", file);
    ::unlink(temp.c_str());
    return std::unexpected(e);
  }
  return sync_dir(file.parent_path());
}

Result<std::string> read_text(const std::filesystem::path& file) {
  Fd f{::open(file.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) {
    if (errno == ENOENT) return std::string();
    return std::unexpected(io_error("cannot read", file));
  }
  std::string text;
  char buffer[65536];
  for (;;) {
    ssize_t n = ::read(f.fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return std::unexpected(io_error("cannot read", file));
    if (n == 0) break;
    text.append(buffer, static_cast<size_t>(n));
  }
  return text;
}

Result<FileLock> FileLock::acquire_within(const std::filesystem::path& file, std::chrono::milliseconds timeout,
                                          const std::stop_token& stop) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(io_error("cannot open the lock file", file));
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd);
    if (errno != EWOULDBLOCK && errno != EINTR) {
      Error e = io_error("cannot lock", file);
      ::close(fd);
      return std::unexpected(e);
    }
    if (stop.stop_requested() || std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      return std::unexpected(make_error(stop.stop_requested() ? ErrorCode::cancelled : ErrorCode::timeout,
                                        "another process holds " + file.string() + " (a flush or sync running); try again later",
                                        /*retryable=*/true));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(io_error("cannot open the lock file", file));
  while (::flock(fd, LOCK_EX) != 0) {
    if (errno == EINTR) continue;
    Error e = io_error("cannot lock", file);
    ::close(fd);
    return std::unexpected(e);
  }
  return FileLock(fd);
}

FileLock::~FileLock() {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
}

}  // namespace airreg::core

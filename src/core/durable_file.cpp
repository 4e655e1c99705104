#include "core/durable_file.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

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

Result<void> append_durably(const std::filesystem::path& file, std::string_view text) {
  Fd f{::open(file.c_str(), O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0600)};
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
  std::filesystem::path temp = file;
  temp += ".tmp-" + std::to_string(::getpid());
  {
    Fd f{::open(temp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600)};
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
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    if (!std::filesystem::exists(file)) return std::string();
    return std::unexpected(io_error("cannot read", file));
  }
  std::ostringstream text;
  text << in.rdbuf();
  if (in.bad()) return std::unexpected(io_error("cannot read", file));
  return text.str();
}

Result<FileLock> FileLock::acquire(const std::filesystem::path& file) {
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
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

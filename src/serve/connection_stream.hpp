// One client connection as cpp-httplib reads and writes it (its Stream interface), with the
// deadlines serve needs: a request must arrive whole before the deadline set for it (a client
// sending byte by byte is cut off, not served for ever), and every write must find room
// within write_timeout. Reads are buffered (cpp-httplib reads headers a byte at a time).
// One thread at a time.
#pragma once

#include <httplib.h>

#include <array>
#include <chrono>

namespace airreg::serve {

class ConnectionStream final : public httplib::Stream {
 public:
  using Steady = std::chrono::steady_clock;
  ConnectionStream(int fd, std::chrono::milliseconds write_timeout) : fd_(fd), write_timeout_(write_timeout) {}

  // The next request must have arrived by `deadline`.
  void set_deadline(Steady::time_point deadline) { deadline_ = deadline; }
  // Bytes of a next request already read (a client that pipelines).
  bool has_buffered() const { return begin_ < end_; }

  bool is_readable() const override;
  bool is_writable() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }

 private:
  bool poll_for(short events, std::chrono::milliseconds wait) const;

  int fd_;
  std::chrono::milliseconds write_timeout_;
  Steady::time_point deadline_{};
  std::array<char, 4096> buffer_{};
  size_t begin_ = 0, end_ = 0;
};

}  // namespace airreg::serve

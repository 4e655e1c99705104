// A program started by a test (redis-server, an airreg instance), killed with SIGKILL when
// the test process dies, so that an aborted test never leaves servers behind holding ctest's
// pipes. Its stdout and stderr go to a file the test may read. Not thread-safe; one owner.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace airreg::test {

class ChildProcess {
 public:
  // argv[0] is the program's path; `env` is added to (or overrides) this process's.
  ChildProcess(std::vector<std::string> argv, std::string output_path, std::map<std::string, std::string> env = {});
  ~ChildProcess();  // SIGKILL and wait, if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void signal(int sig) const;
  // Waits for the exit; the exit code, or -signal when killed by one.
  int wait();
  // True once it has exited (does not block).
  bool exited();
  std::string output() const;

 private:
  pid_t pid_ = -1;
  int status_ = 0;
  bool waited_ = false;
  std::string output_path_;
};

}  // namespace airreg::test

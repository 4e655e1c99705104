// Whether the kernel took a buffer's advice to use huge pages: the VmFlags of the mapping that
// holds an address, in /proc/self/smaps, carry "hg" once madvise(MADV_HUGEPAGE) marked it.
// Nothing when the system cannot say (not Linux, or a kernel without transparent huge pages).
#pragma once

#include <charconv>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>

namespace airreg::test {

inline std::optional<bool> huge_pages_advised(const void* address) {
  if (!std::filesystem::exists("/sys/kernel/mm/transparent_hugepage")) return std::nullopt;
  std::ifstream smaps("/proc/self/smaps");
  if (!smaps) return std::nullopt;
  const auto wanted = reinterpret_cast<uintptr_t>(address);
  bool inside = false;
  std::string line;
  while (std::getline(smaps, line)) {
    std::string first = line.substr(0, line.find(' '));
    if (!first.empty() && first.back() != ':') {  // "7f00...-7f00... rw-p ...": a mapping starts
      auto dash = first.find('-');
      uintptr_t low = 0, high = 0;
      std::from_chars(first.data(), first.data() + dash, low, 16);
      std::from_chars(first.data() + dash + 1, first.data() + first.size(), high, 16);
      inside = wanted >= low && wanted < high;
    } else if (inside && first == "VmFlags:") {
      return (line + " ").find(" hg ") != std::string::npos;
    }
  }
  return false;
}

}  // namespace airreg::test

#include "core/huge_pages.hpp"

#include <cstdint>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

namespace airreg::core {

void advise_huge_pages(void* buffer, size_t bytes) {
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  if (!buffer || bytes == 0) return;
  // madvise takes whole pages: the pages that lie entirely inside the buffer.
  const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
  const auto first = reinterpret_cast<uintptr_t>(buffer);
  const uintptr_t start = (first + page - 1) & ~(page - 1);
  const uintptr_t end = (first + bytes) & ~(page - 1);
  // A refusal (THP compiled out, an old kernel) leaves ordinary pages: nothing to report.
  if (end > start) (void)madvise(reinterpret_cast<void*>(start), end - start, MADV_HUGEPAGE);
#else
  (void)buffer;
  (void)bytes;
#endif
}

}  // namespace airreg::core

#include "core/heap_trim.hpp"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace airreg::core {

void trim_heap() {
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
}

}  // namespace airreg::core

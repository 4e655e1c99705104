// Asks the kernel to back a large buffer with 2 MiB pages ("transparent huge pages").
// A fresh buffer costs a page fault for every 4 KiB it touches; on a virtual machine each
// fault costs a microsecond or two, so touching 20 MB of new memory costs several ms, more
// than parsing it. With huge pages the same buffer takes 512 times fewer faults. The price
// is that a touched 2 MiB page counts whole in the RSS: worth it only for buffers of many
// megabytes. Where the system does not offer huge pages (THP "never", not Linux) it does
// nothing; call it before the buffer is first touched.
#pragma once

#include <cstddef>

namespace airreg::core {

void advise_huge_pages(void* buffer, size_t bytes);

}  // namespace airreg::core

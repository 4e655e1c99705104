// Gives the heap's free pages back to the system. glibc's malloc raises its mmap threshold to
// the size of the largest block freed (up to 32 MB), so after one big transient buffer the next
// ones are carved from the heap, and their pages stay resident after they are freed: a
// process would keep the footprint of its largest listing for ever. Called after such a
// buffer is freed (a parser grown for a body of megabytes); a no-op elsewhere than glibc.
#pragma once

namespace airreg::core {

void trim_heap();

}  // namespace airreg::core

#include "http/body_buffer.hpp"

#include <algorithm>

#include "core/huge_pages.hpp"

namespace airreg::http {

void append_to_body(std::string& body, const char* data, size_t n) {
  const size_t needed = body.size() + n + kBodyPadding;
  if (body.capacity() < needed) {
    const size_t capacity = std::max(body.capacity() * 2, needed);
    // A new buffer, advised before its pages are touched (reserve writes only the NUL on the
    // first page, outside the advised whole pages), then the body so far copied in: the copy
    // is what doubling costs anyway.
    std::string grown;
    grown.reserve(capacity);
    if (capacity >= kHugeBody) core::advise_huge_pages(grown.data(), capacity);
    grown.append(body);
    body.swap(grown);
  }
  body.append(data, n);
}

}  // namespace airreg::http

// The buffer a response body is written into, a piece at a time.
//
// It keeps kBodyPadding bytes of spare capacity behind the body: simdjson reads up to 64
// bytes past a document's end, so a listing is parsed where it was written, without a copy
// (json_listing.cpp checks the figure against simdjson's). It grows by doubling, and a
// buffer of kHugeBody or more is put on huge pages before it is written (a 7.8 MB listing
// into fresh 4 KiB pages costs 1,900 faults; core/huge_pages.hpp).
#pragma once

#include <cstddef>
#include <string>

namespace airreg::http {

constexpr size_t kBodyPadding = 64;
constexpr size_t kHugeBody = size_t{4} << 20;

// Appends `n` bytes to `body`, keeping the padding behind them. `data` must not point into
// `body` (a grown body frees its old buffer first). Throws std::bad_alloc or
// std::length_error, and then leaves `body` as it was.
void append_to_body(std::string& body, const char* data, size_t n);

}  // namespace airreg::http

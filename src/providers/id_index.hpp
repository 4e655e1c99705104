// Finds a listing's entries by id where the ids already live (a listing's models, its
// skipped entries): an open-addressing table of 8-byte slots, each a caller's reference to an
// entry and the id's hash. Unlike a map of strings it copies no id and allocates no node per
// entry, and a reference stays valid while the caller's vectors grow (it is an index, not a
// pointer). Not thread-safe: one per listing.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <utility>
#include <vector>

namespace airreg::providers {

class IdIndex {
 public:
  using Ref = uint32_t;
  // The largest reference a slot may hold (the one above marks an empty slot).
  static constexpr Ref kMaxRef = UINT32_MAX - 1;

  // The reference stored for `id`, and whether it was added now (with `ref`, at most
  // kMaxRef). `id_of(r)` gives the id of the entry a stored reference `r` stands for. The
  // pointer is valid until the next add; the caller may change the reference through it.
  template <typename IdOf>
  std::pair<Ref*, bool> find_or_add(std::string_view id, Ref ref, IdOf&& id_of) {
    if (2 * (size_ + 1) > slots_.size()) grow(std::max<size_t>(16, 2 * slots_.size()));
    uint64_t full = std::hash<std::string_view>{}(id);
    auto hash = static_cast<uint32_t>(full ^ (full >> 32));
    size_t mask = slots_.size() - 1;
    for (size_t at = hash & mask;; at = (at + 1) & mask) {
      Slot& s = slots_[at];
      if (s.ref == kEmpty) {
        s = Slot{ref, hash};
        ++size_;
        return {&s.ref, true};
      }
      if (s.hash == hash && id_of(s.ref) == id) return {&s.ref, false};
    }
  }

  // Room for `ids` ids in all without growing; grows at least twofold, so that a caller
  // asking again and again for a little more does not rehash every time.
  void reserve(size_t ids) {
    size_t wanted = 2 * ids;
    if (wanted <= slots_.size()) return;
    size_t n = std::max<size_t>(16, 2 * slots_.size());
    while (n < wanted) n *= 2;
    grow(n);
  }

  void clear() {
    slots_ = std::vector<Slot>();
    size_ = 0;
  }
  size_t size() const { return size_; }

 private:
  static constexpr Ref kEmpty = kMaxRef + 1;
  struct Slot {
    Ref ref = kEmpty;
    uint32_t hash = 0;  // places the slot, and spares most mismatches a look at an id
  };

  // At most half full: probes stay short. Placed again by their hashes alone.
  void grow(size_t n) {
    std::vector<Slot> old = std::move(slots_);
    slots_.assign(n, Slot{});
    size_t mask = n - 1;
    for (const Slot& s : old) {
      if (s.ref == kEmpty) continue;
      size_t at = s.hash & mask;
      while (slots_[at].ref != kEmpty) at = (at + 1) & mask;
      slots_[at] = s;
    }
  }

  std::vector<Slot> slots_;
  size_t size_ = 0;
};

}  // namespace airreg::providers

// The rows of an answer (ModelList::models): read like a const std::vector<RegistryRow>, but
// the rows themselves are immutable and shared. An answer's every view (every row, the usable
// ones, and the copies its cache hits hand out) holds the same rows, so a registry of 10,000
// models keeps one copy of each row however many ways it is asked for. Thread-safe to read
// and to copy; push_back copies the rows first when another list shares them.
#pragma once

#include <atomic>
#include <cassert>
#include <compare>
#include <cstddef>
#include <cstdint>
#include <iterator>
#include <memory>
#include <optional>
#include <vector>

#include "airreg/registry_row.hpp"

namespace airreg {

class RowList {
 public:
  class iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = RegistryRow;
    using difference_type = std::ptrdiff_t;
    using pointer = const RegistryRow*;
    using reference = const RegistryRow&;

    iterator() = default;
    iterator(const RowList* list, std::size_t at) : list_(list), at_(at) {}
    reference operator*() const { return (*list_)[at_]; }
    pointer operator->() const { return &(*list_)[at_]; }
    reference operator[](difference_type n) const { return (*list_)[at_ + n]; }
    iterator& operator++() { ++at_; return *this; }
    iterator operator++(int) { auto old = *this; ++at_; return old; }
    iterator& operator--() { --at_; return *this; }
    iterator operator--(int) { auto old = *this; --at_; return old; }
    iterator& operator+=(difference_type n) { at_ += n; return *this; }
    iterator& operator-=(difference_type n) { at_ -= n; return *this; }
    friend iterator operator+(iterator it, difference_type n) { return it += n; }
    friend iterator operator+(difference_type n, iterator it) { return it += n; }
    friend iterator operator-(iterator it, difference_type n) { return it -= n; }
    friend difference_type operator-(const iterator& a, const iterator& b) {
      return static_cast<difference_type>(a.at_) - static_cast<difference_type>(b.at_);
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.at_ == b.at_; }
    friend auto operator<=>(const iterator& a, const iterator& b) { return a.at_ <=> b.at_; }

   private:
    const RowList* list_ = nullptr;
    std::size_t at_ = 0;
  };
  using const_iterator = iterator;
  using value_type = RegistryRow;
  using size_type = std::size_t;

  RowList() = default;
  RowList(std::vector<RegistryRow> rows)  // NOLINT: implicit, a list is made from its rows
      : rows_(std::make_shared<std::vector<RegistryRow>>(std::move(rows))) {}

  // The rows that pass keep, sharing this list's rows (none is copied).
  template <typename Keep>
  RowList filtered(Keep keep) const {
    RowList out;
    out.rows_ = rows_;
    out.picked_.emplace();
    for (std::size_t i = 0; i < size(); ++i)
      if (keep((*this)[i])) {
        assert(index(i) <= UINT32_MAX);  // 4 billion rows: far beyond any registry
        out.picked_->push_back(static_cast<uint32_t>(index(i)));
      }
    return out;
  }

  std::size_t size() const { return picked_ ? picked_->size() : rows_ ? rows_->size() : 0; }
  bool empty() const { return size() == 0; }
  const RegistryRow& operator[](std::size_t i) const { return (*rows_)[index(i)]; }
  const RegistryRow& front() const { return (*this)[0]; }
  const RegistryRow& back() const { return (*this)[size() - 1]; }
  iterator begin() const { return {this, 0}; }
  iterator end() const { return {this, size()}; }
  // A copy of the rows, for a caller that wants to change them.
  std::vector<RegistryRow> to_vector() const { return {begin(), end()}; }

  void push_back(RegistryRow row) {
    if (picked_ || !rows_ || rows_.use_count() > 1) {
      *this = RowList(to_vector());
    } else {
      // The last other holder may have just let go on another thread: its reads happen before
      // this write (use_count() is a relaxed load).
      std::atomic_thread_fence(std::memory_order_acquire);
    }
    rows_->push_back(std::move(row));
  }

 private:
  std::size_t index(std::size_t i) const { return picked_ ? (*picked_)[i] : i; }

  // Only changed while this list is their only holder (push_back copies them otherwise).
  std::shared_ptr<std::vector<RegistryRow>> rows_;
  std::optional<std::vector<uint32_t>> picked_;  // a filtered list: the indexes it keeps
};

}  // namespace airreg

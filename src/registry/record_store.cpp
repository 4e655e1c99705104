#include "registry/record_store.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <type_traits>

namespace airreg::registry {

namespace {

// A cell's type, as packed: the FieldValue alternative it holds.
enum Tag : uint8_t { kEmpty, kFlag, kNumber, kText, kList };

template <typename T>
void put(std::string& out, T value) {
  static_assert(std::is_trivially_copyable_v<T>);
  char bytes[sizeof(T)];
  std::memcpy(bytes, &value, sizeof(T));
  out.append(bytes, sizeof(T));
}

void put_text(std::string& out, const std::string& text) {
  put(out, static_cast<uint32_t>(text.size()));
  out += text;
}

// Reads what pack() wrote, in order. The bytes are the store's own, never input: a read past
// the end is a bug, and throws rather than reads out of bounds.
class Unpacker {
 public:
  explicit Unpacker(std::string_view bytes) : bytes_(bytes) {}
  bool done() const { return at_ == bytes_.size(); }

  template <typename T>
  T take() {
    T value;
    std::memcpy(&value, need(sizeof(T)), sizeof(T));
    return value;
  }
  std::string_view take_text() {
    auto size = take<uint32_t>();
    return {need(size), size};
  }
  // Past the value of a cell whose tag was just read, without making it.
  void skip_value(uint8_t tag) {
    switch (tag) {
      case kFlag: need(1); break;
      case kNumber: need(sizeof(double)); break;
      case kText: take_text(); break;
      case kList:
        for (auto n = take<uint32_t>(); n > 0; --n) take_text();
        break;
      default: break;
    }
  }
  // The value of a cell whose tag was just read.
  FieldValue take_value(uint8_t tag) {
    switch (tag) {
      case kFlag: return take<uint8_t>() != 0;
      case kNumber: return take<double>();
      case kText: return std::string(take_text());
      case kList: {
        auto count = take<uint32_t>();
        need_room(count * sizeof(uint32_t));  // every item has its length: not a count to allocate blindly
        std::vector<std::string> list(count);
        for (auto& item : list) item = take_text();
        return list;
      }
      default: return std::monostate{};
    }
  }

 private:
  void need_room(size_t n) const {
    if (bytes_.size() - at_ < n) throw std::logic_error("RecordStore: a packed record ends early");
  }
  const char* need(size_t n) {
    need_room(n);
    const char* p = bytes_.data() + at_;
    at_ += n;
    return p;
  }

  std::string_view bytes_;
  size_t at_ = 0;
};

// Calls take(name, tag, in) for each cell packed in `cells`, in order; `take` reads the
// value (in.take_value) or skips it.
template <typename Take>
void each_cell(std::string_view cells, const std::vector<std::string>& names, Take take) {
  Unpacker in(cells);
  while (!in.done()) {
    const std::string& name = names.at(in.take<uint16_t>());
    auto tag = in.take<uint8_t>();
    take(name, tag, in);
  }
}

}  // namespace

uint16_t RecordStore::name_number(const std::string& name) {
  if (auto it = number_of_.find(name); it != number_of_.end()) return it->second;
  if (names_.size() > UINT16_MAX) throw std::length_error("RecordStore: more than 65,536 cell names");
  auto n = static_cast<uint16_t>(names_.size());
  names_.push_back(name);
  number_of_.emplace(name, n);
  return n;
}

RecordStore::Packed RecordStore::pack(const AirtableRecord& record) {
  Packed p{record.id, {}};
  for (const auto& [name, value] : record.fields) {
    put(p.cells, name_number(name));
    std::visit(
        [&](const auto& v) {
          using T = std::decay_t<decltype(v)>;
          if constexpr (std::is_same_v<T, std::monostate>) {
            put(p.cells, kEmpty);
          } else if constexpr (std::is_same_v<T, bool>) {
            put(p.cells, kFlag);
            put(p.cells, static_cast<uint8_t>(v));
          } else if constexpr (std::is_same_v<T, double>) {
            put(p.cells, kNumber);
            put(p.cells, v);
          } else if constexpr (std::is_same_v<T, std::string>) {
            put(p.cells, kText);
            put_text(p.cells, v);
          } else {
            put(p.cells, kList);
            put(p.cells, static_cast<uint32_t>(v.size()));
            for (const auto& item : v) put_text(p.cells, item);
          }
        },
        value);
  }
  p.cells.shrink_to_fit();  // appended piece by piece: the spare capacity would be a third of it
  return p;
}

void RecordStore::add(const AirtableRecord& record) { records_.push_back(pack(record)); }

void RecordStore::set(size_t i, const AirtableRecord& record) { records_.at(i) = pack(record); }

void RecordStore::erase(size_t i) { records_.erase(records_.begin() + static_cast<std::ptrdiff_t>(i)); }

std::optional<size_t> RecordStore::find(std::string_view id) const {
  auto it = std::find_if(records_.begin(), records_.end(), [&](const Packed& p) { return p.id == id; });
  if (it == records_.end()) return std::nullopt;
  return static_cast<size_t>(it - records_.begin());
}

AirtableRecord RecordStore::record(size_t i) const {
  const Packed& p = records_.at(i);
  AirtableRecord out{p.id, "", {}};
  each_cell(p.cells, names_, [&](const std::string& name, uint8_t tag, Unpacker& in) {
    out.fields.emplace_hint(out.fields.end(), name, in.take_value(tag));  // packed in the map's order
  });
  return out;
}

Fields RecordStore::cells(size_t i, const std::vector<std::string>& names) const {
  Fields out;
  each_cell(records_.at(i).cells, names_, [&](const std::string& name, uint8_t tag, Unpacker& in) {
    if (std::find(names.begin(), names.end(), name) != names.end()) {
      out.emplace(name, in.take_value(tag));
    } else {
      in.skip_value(tag);
    }
  });
  return out;
}

}  // namespace airreg::registry

// libFuzzer target: any bytes as a table snapshot (from state.db, or from another instance
// through Redis) give a snapshot or "not the JSON airreg writes", never a crash, a hang or a
// sanitizer report; read in pieces of a few bytes they give what the whole text gives; and a
// snapshot read back from what it encodes to is the same snapshot.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "registry/snapshot_codec.hpp"
#include "registry_schema.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using airreg::registry::decode_snapshot;
  using airreg::registry::encode_snapshot;
  const auto& columns = airreg::test::registry_columns();
  std::string text(reinterpret_cast<const char*>(data), size);
  std::string why;
  auto whole = decode_snapshot(text, columns, &why, 0);
  auto pieces = decode_snapshot(text, columns, nullptr, 8);
  if (whole.has_value() != pieces.has_value()) std::abort();
  if (!whole && why.empty()) std::abort();  // no snapshot: the reason
  if (!whole) return 0;
  std::string encoded = encode_snapshot(*whole, columns);
  if (encode_snapshot(*pieces, columns) != encoded) std::abort();
  if (whole->parsed.rows.size() != pieces->parsed.rows.size() || whole->parsed.warnings != pieces->parsed.warnings) std::abort();
  auto again = decode_snapshot(encoded, columns, nullptr, 8);
  if (!again || encode_snapshot(*again, columns) != encoded) std::abort();
  return 0;
}

// The shared snapshot in Redis, sent and taken in pieces: a table of 10,000 records is
// megabytes of text that neither this process nor hiredis holds more than once.
//   snapshot (hash): tseq, text (the name of the string key that holds the body); an airreg
//     before 2026-12-08 stored seq and body (see redis_scripts.hpp)
//   snapshot:text:SEQ-NONCE: the body, written once; a key that disappears never comes back
//   snapshot:staging:SEQ-NONCE: the body while its pieces arrive, expiring after 5 minutes
// The steps that must be atomic are scripts (redis_scripts.hpp). Thread-safe, as RedisCore.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>

#include "fleet/fleet.hpp"
#include "fleet/redis_core.hpp"

namespace airreg::fleet {

inline constexpr long long kTakePieceBytes = 256 << 10;  // per GETRANGE: 13 round trips for 3 MB

// Stores the body unless a later read stored one or the table changed since `seq` began.
bool put_snapshot_in_pieces(RedisCore& core, uint64_t seq, const Fleet::SnapshotText& text, std::chrono::milliseconds ttl);
// The snapshot when its seq is above `newer_than`; nothing when there is none, or it was
// dropped while its pieces came (an invalidation, or three replacements in a row).
// `between_pieces` runs after each piece (for tests: what other instances do meanwhile).
std::optional<SharedSnapshot> take_snapshot_in_pieces(RedisCore& core, uint64_t newer_than,
                                                      long long piece_bytes = kTakePieceBytes,
                                                      const std::function<void()>& between_pieces = {});
// Reads that began before now can no longer store theirs; the snapshot is dropped. False
// when Redis did not answer.
bool drop_snapshot(RedisCore& core);

}  // namespace airreg::fleet

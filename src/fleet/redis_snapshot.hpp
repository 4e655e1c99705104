// The shared snapshot in Redis, sent and taken in pieces: a table of 10,000 records is
// megabytes of text that neither this process nor hiredis holds more than once.
//   snapshot (hash): seq, text (the name of the string key that holds the body)
//   snapshot:text:SEQ-NONCE: the body, written once; a key that disappears never comes back
//   snapshot:staging:SEQ-NONCE: the body while its pieces arrive, expiring after 5 minutes
// The steps that must be atomic are scripts (redis_scripts.hpp). Thread-safe, as RedisCore.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "fleet/fleet.hpp"
#include "fleet/redis_core.hpp"

namespace airreg::fleet {

// Stores the body unless a later read stored one or the table changed since `seq` began.
bool put_snapshot_in_pieces(RedisCore& core, uint64_t seq, const Fleet::SnapshotText& text, std::chrono::milliseconds ttl);
// The snapshot when its seq is above `newer_than`; nothing when there is none, or it was
// dropped while its pieces came (an invalidation, or three replacements in a row).
std::optional<SharedSnapshot> take_snapshot_in_pieces(RedisCore& core, uint64_t newer_than);
// Reads that began before now can no longer store theirs; the snapshot is dropped. False
// when Redis did not answer.
bool drop_snapshot(RedisCore& core);

}  // namespace airreg::fleet

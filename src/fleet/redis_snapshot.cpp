#include "fleet/redis_snapshot.hpp"

#include <algorithm>
#include <random>

#include "fleet/redis_scripts.hpp"

namespace airreg::fleet {

namespace {

using namespace std::chrono_literals;

constexpr std::chrono::milliseconds kStagingTtl = 5min;  // a body sent in pieces, until moved in
constexpr int kTakeAttempts = 3;

std::vector<std::string> snapshot_keys(const RedisCore& core) {
  return {core.key("snapshot"), core.key("snapshot:floor"), core.key("snapshot:seq")};
}

// "SEQ-NONCE": a name no other put uses, even after Redis lost its data and the seqs start
// again (two reads, one from before the loss, then share a seq): no two puts append to one
// staging key, and a reader amid a text's pieces sees the key vanish, never another body.
std::string put_name(uint64_t seq) {
  static thread_local std::mt19937_64 random = [] {
    std::random_device device;
    std::seed_seq seed{device(), device(), device(), device()};  // one 32-bit value is 2^32 streams
    return std::mt19937_64(seed);
  }();
  return std::to_string(seq) + "-" + std::to_string(random());
}

}  // namespace

// Sent as one command, 5 MB of snapshot was held four times over (the text, the argument,
// hiredis's command, its buffer): a fleet instance peaked 18 MB higher at the end of every
// table read.
bool put_snapshot_in_pieces(RedisCore& core, uint64_t seq, const Fleet::SnapshotText& text, std::chrono::milliseconds ttl) {
  std::string name = put_name(seq);
  std::string staging = core.key("snapshot:staging:" + name);
  long long sent = 0;
  bool ok = true;
  text([&](std::string_view piece) {
    if (!ok || piece.empty()) return;
    // Its own expiry: a staging key left by an instance that died midway is gone soon. The
    // script appends only to a key that is there: one that expired midway is not begun again
    // without an expiry.
    auto r = sent == 0 ? core.command({"SET", staging, std::string(piece), "PX", std::to_string(kStagingTtl.count())})
                       : core.eval(scripts::kAppendPiece, {staging}, {std::string(piece)});
    sent += static_cast<long long>(piece.size());
    // The length so far: another (or -1, no key) means the key went midway.
    ok = r && (r->type == RedisReply::Type::status || (r->type == RedisReply::Type::integer && r->integer == sent));
  });
  if (sent == 0) return false;
  auto keys = snapshot_keys(core);
  keys.push_back(staging);
  keys.push_back(core.key("snapshot:text:" + name));
  auto r = core.eval(scripts::kPutSnapshot, keys,
                     {std::to_string(seq), std::to_string(ok ? sent : -1), std::to_string(std::max<long long>(1000, ttl.count()))});
  return r && r->type == RedisReply::Type::integer && r->integer == 1;
}

// Taken whole, 3 MB of snapshot was held three times (hiredis's buffer, its reply, ours), and
// the buffer stayed until the next command.
std::optional<SharedSnapshot> take_snapshot_in_pieces(RedisCore& core, uint64_t newer_than, long long piece_bytes,
                                                      const std::function<void()>& between_pieces) {
  piece_bytes = std::max(piece_bytes, 1LL);
  for (int attempt = 0; attempt < kTakeAttempts; ++attempt) {
    auto r = core.eval(scripts::kGetSnapshot, {core.key("snapshot")}, {std::to_string(newer_than)});
    if (!r || r->type != RedisReply::Type::array || r->elements.size() != 3) return std::nullopt;
    auto& e = r->elements;
    auto seq = static_cast<uint64_t>(e[0].integer);
    if (e[2].type == RedisReply::Type::string) {  // stored whole by an earlier airreg
      if (e[2].str.empty()) return std::nullopt;
      return SharedSnapshot{seq, std::move(e[2].str)};
    }
    long long length = e[2].integer;
    if (e[1].type != RedisReply::Type::string || length <= 0) return std::nullopt;  // expired meanwhile
    std::string body;
    body.reserve(static_cast<size_t>(length));
    for (long long from = 0; from < length; from += piece_bytes) {
      long long to = std::min(from + piece_bytes, length) - 1;
      auto piece = core.command({"GETRANGE", e[1].str, std::to_string(from), std::to_string(to)});
      // Shorter: the text was dropped or replaced (and expired) while its pieces came.
      if (!piece || piece->type != RedisReply::Type::string || static_cast<long long>(piece->str.size()) != to - from + 1) break;
      body += piece->str;
      if (between_pieces) between_pieces();
    }
    if (static_cast<long long>(body.size()) == length) return SharedSnapshot{seq, std::move(body)};
    if (!core.ok()) return std::nullopt;
  }
  return std::nullopt;
}

bool drop_snapshot(RedisCore& core) { return core.eval(scripts::kInvalidateSnapshot, snapshot_keys(core), {}).has_value(); }

}  // namespace airreg::fleet

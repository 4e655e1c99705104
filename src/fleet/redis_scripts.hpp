// The Lua scripts the Redis fleet runs: each is one atomic step on the server, timed by the
// server's clock (TIME), so that instances on hosts whose clocks differ still agree.
#pragma once

namespace airreg::fleet::scripts {

// The server's time in milliseconds, as a Lua prologue.
#define AIRREG_LUA_NOW "local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) "

// A request slot of the base. KEYS: window (zset), pause. ARGV: max requests, window ms,
// hold ms, ticket. A busy slot is scored when it may be forgotten (now + hold) and rescored to
// its answer's time by release_slot; a slot counts until one window after that. Returns 0
// when granted, else the milliseconds to wait.
inline constexpr const char* kAcquireSlot = AIRREG_LUA_NOW R"lua(
local pause = tonumber(redis.call('GET', KEYS[2]) or '0')
if pause > now then return pause - now end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[4])
  redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]) + 2 * tonumber(ARGV[2]))
  return 0
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return math.max(1, tonumber(oldest[2]) + tonumber(ARGV[2]) - now)
)lua";

// KEYS: window. ARGV: ticket. The answer arrived now.
inline constexpr const char* kReleaseSlot = AIRREG_LUA_NOW R"lua(
redis.call('ZADD', KEYS[1], 'XX', now, ARGV[1])
return 0
)lua";

// KEYS: window. ARGV: ticket, window ms. A request made without the fleet (Redis was away)
// enters the window as answered now.
inline constexpr const char* kEnterSlot = AIRREG_LUA_NOW R"lua(
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return 0
)lua";

// KEYS: pause. ARGV: ms. Every instance waits until now + ms (a longer pause stays).
inline constexpr const char* kPause = AIRREG_LUA_NOW R"lua(
local untilms = now + tonumber(ARGV[1])
if untilms > tonumber(redis.call('GET', KEYS[1]) or '0') then
  redis.call('SET', KEYS[1], untilms, 'PX', tonumber(ARGV[1]) + 1000)
end
return 0
)lua";

// KEYS: pause. Milliseconds until the fleet's pause ends, 0 when there is none (for an
// instance without pacing, which takes no slots but still honours a 429).
inline constexpr const char* kPausedFor = AIRREG_LUA_NOW R"lua(
local pause = tonumber(redis.call('GET', KEYS[1]) or '0')
if pause > now then return pause - now end
return 0
)lua";

// KEYS: lease, fence counter. ARGV: holder, ttl ms. Returns the fencing token, or 0.
inline constexpr const char* kTakeLease = R"lua(
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '#' .. token, 'PX', tonumber(ARGV[2]))
return token
)lua";

// KEYS: lease. ARGV: value, ttl ms. 1 while this holder still has it.
inline constexpr const char* kRenewLease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2])) end
return 0
)lua";

// KEYS: lease. ARGV: value.
inline constexpr const char* kReleaseLease = R"lua(
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
)lua";

// KEYS: staged body. ARGV: piece. Its length after the piece, or -1 when the key is gone.
inline constexpr const char* kAppendPiece = R"lua(
if redis.call('EXISTS', KEYS[1]) == 0 then return -1 end
return redis.call('APPEND', KEYS[1], ARGV[1])
)lua";

// The snapshot hash holds `tseq` and `text` (the name of the text key). An airreg before
// 2026-12-08 stored `seq` and the whole `body` instead; both kinds are read, and a `body` is
// always the later (a put of ours drops it). The seq of ours is not `seq`, so that an earlier
// airreg finds no snapshot it cannot read (it polled for one in a tight loop) and reads
// Airtable as it would without one.

// KEYS: snapshot (hash), floor, seq counter, staged body, text key. ARGV: seq, body's length,
// ttl ms. Moves the body, sent a piece at a time into its staging key, to its text key and
// makes it the snapshot: 1 when stored. The staging key is gone either way. A seq above the
// counter comes from before Redis lost its data (a restart): refused too; so is a staged body
// of another length (a piece went missing). The text replaced stays 10 s for a reader amid
// its pieces.
inline constexpr const char* kPutSnapshot = R"lua(
local seq = tonumber(ARGV[1])
local current = math.max(tonumber(redis.call('HGET', KEYS[1], 'tseq') or '0'),
                         tonumber(redis.call('HGET', KEYS[1], 'seq') or '0'))
local stale = seq > tonumber(redis.call('GET', KEYS[3]) or '0')
  or seq <= tonumber(redis.call('GET', KEYS[2]) or '0')
  or seq <= current
  or redis.call('STRLEN', KEYS[4]) ~= tonumber(ARGV[2])
if stale then
  redis.call('DEL', KEYS[4])
  return 0
end
local old = redis.call('HGET', KEYS[1], 'text')
if old then redis.call('PEXPIRE', old, 10000) end
redis.call('RENAME', KEYS[4], KEYS[5])
redis.call('PEXPIRE', KEYS[5], tonumber(ARGV[3]))
redis.call('HDEL', KEYS[1], 'seq', 'body')
redis.call('HSET', KEYS[1], 'tseq', ARGV[1], 'text', KEYS[5])
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
)lua";

// KEYS: snapshot, floor, seq counter. Reads that began before now can no longer store theirs;
// the snapshot and its text are dropped.
inline constexpr const char* kInvalidateSnapshot = R"lua(
local floor = redis.call('INCR', KEYS[3])
redis.call('SET', KEYS[2], floor)
local text = redis.call('HGET', KEYS[1], 'text')
if text then redis.call('DEL', text) end
redis.call('DEL', KEYS[1])
return floor
)lua";

// KEYS: snapshot. ARGV: newer than. When newer: the seq, its text key and the text's length
// (for GETRANGE); or the seq, '' and the body an earlier airreg stored whole. Else nil.
inline constexpr const char* kGetSnapshot = R"lua(
local body = redis.call('HGET', KEYS[1], 'body')
if body then
  local seq = tonumber(redis.call('HGET', KEYS[1], 'seq') or '0')
  if seq <= tonumber(ARGV[1]) then return false end
  return {seq, '', body}
end
local seq = tonumber(redis.call('HGET', KEYS[1], 'tseq') or '0')
if seq <= tonumber(ARGV[1]) then return false end
local text = redis.call('HGET', KEYS[1], 'text')
if not text then return false end
return {seq, text, redis.call('STRLEN', text)}
)lua";

// KEYS: counter. ARGV: delta, ttl s. The total; the counter lives ttl past its last change.
inline constexpr const char* kAddCount = R"lua(
local total = redis.call('INCRBY', KEYS[1], ARGV[1])
redis.call('EXPIRE', KEYS[1], ARGV[2])
return total
)lua";

// KEYS: instances (zset). ARGV: instance, window ms. Returns how many were seen in the window.
inline constexpr const char* kHeartbeat = AIRREG_LUA_NOW R"lua(
redis.call('ZADD', KEYS[1], now, ARGV[1])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], 2 * tonumber(ARGV[2]))
return redis.call('ZCARD', KEYS[1])
)lua";

#undef AIRREG_LUA_NOW

}  // namespace airreg::fleet::scripts

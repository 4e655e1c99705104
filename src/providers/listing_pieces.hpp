// Reading a big listing in pieces, by one small parser reused from the thread's pool, instead
// of parsing the whole body at once: a 7.8 MB listing parsed whole needs about 110 MB of fresh
// parser buffers (14 bytes per byte of body), and the kernel zeroing them costs more than the
// parse. In pieces of about DiscoveryConfig::listing_piece_bytes, the buffers stay small and
// warm in the cache.
//
// The body is cut at the commas between two entries of its list ("}" "," "{", whitespace
// around them allowed), found by a byte search that cannot tell a comma in a string or in a
// nested list from one between entries. Each piece is then parsed as a document of its own:
//   first  the body up to the first cut, closed by "]}" (or "]" for a root list): it must be
//          an object whose last member, and only member named `key`, is a list;
//   middle "[" + the entries between two cuts + "]", in place: the two cut commas are
//          replaced by the brackets while the piece is read, then restored;
//   last   "{\"key\":[" (or "[") + the rest of the body.
// A cut inside a string leaves an odd number of quotes before it, a cut at another depth
// leaves brackets that the closers do not match: that piece does not parse. When every piece
// parses, the body is valid JSON and its list is the pieces' entries in order, each read as
// the whole parse reads it (JSON's grammar is context-free: a list of values followed by a
// comma is one whatever came before). Middle pieces are parsed one level shallower than their
// place in the body, so their depth limit is one less.
//
// When a piece does not parse, or an entry is not what the adapter expects, the pieces are
// abandoned: the caller forgets what it read and parses the whole body, which gives the same
// answer or the same error (with the byte) as always.
// Not thread-safe: one reading per body.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "providers/json_listing.hpp"

namespace airreg::providers {

// The largest piece asked for: half of what a thread's pooled parser may keep
// (kKeptParserCapacity), so that a piece and the entry that ends it fit.
constexpr size_t kMaxPieceBytes = kKeptParserCapacity / 2;

// The shortest entry the guess of a list's length counts on ({"id":"o3"} and its comma are
// 12 bytes, OpenAI's entries about 90, OpenRouter's 1,500).
constexpr size_t kMinGuessedEntryBytes = 16;
// The longest list guessed (OpenRouter lists about 400 models; a bigger list's room grows
// twofold as it is read): room for at most 28 MB of models made ahead.
constexpr size_t kMaxGuessedEntries = size_t{1} << 17;

// The offsets of the commas to cut `body` at, about every `piece_bytes` bytes; none when the
// body is not longer than piece_bytes, or piece_bytes is 0.
std::vector<size_t> entry_cuts(std::string_view body, size_t piece_bytes);

enum class PiecesOutcome {
  read,       // every piece parsed and was read
  whole,      // not cut (small, or no cut found): nothing was read
  abandoned,  // a piece did not parse or was not read: what was read must be forgotten
};

// Reads the list under `key` of the root object of `body` (the root list when key is empty)
// in pieces cut by entry_cuts (at most kMaxPieceBytes): read_piece(listing, list, guess) reads
// the entries of each piece and returns false to abandon. `guess` is, with the first piece
// only (0 with the others), how many entries the whole list may hold, from the first piece's
// share of the body: room made once instead of regrown piece by piece. The body is changed
// while a piece is read and restored after.
using ReadPiece = std::function<bool(JsonListing& piece, array& list, size_t guess)>;
PiecesOutcome read_list_in_pieces(const std::string& provider, std::string& body, std::string_view key,
                                  size_t piece_bytes, const ReadPiece& read_piece);

}  // namespace airreg::providers

#include "providers/listing_pieces.hpp"

#include <algorithm>
#include <optional>

namespace airreg::providers {

namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

size_t skip_spaces(std::string_view text, size_t at) {
  while (at < text.size() && is_space(text[at])) ++at;
  return at;
}

// The two cut commas around a middle piece, replaced by brackets while it is read: the piece
// is parsed where it lies, and the body is whole again however the reading ends.
class Brackets {
 public:
  Brackets(std::string& body, size_t open, size_t close) : body_(body), open_(open), close_(close) {
    body_[open_] = '[';
    body_[close_] = ']';
  }
  ~Brackets() {
    body_[open_] = ',';
    body_[close_] = ',';
  }
  Brackets(const Brackets&) = delete;
  Brackets& operator=(const Brackets&) = delete;

 private:
  std::string& body_;
  size_t open_, close_;
};

// A first or last piece, with its framing: a copy, with simdjson's padding behind it, zeroed
// (simdjson may branch on it; its result does not depend on it, but valgrind would say so).
void frame(std::string& out, std::string_view before, std::string_view text, std::string_view after) {
  out.clear();
  out.reserve(before.size() + text.size() + after.size() + simdjson::SIMDJSON_PADDING);
  out.append(before).append(text).append(after);
  const size_t size = out.size();
  out.append(simdjson::SIMDJSON_PADDING, '\0');
  out.resize(size);
}

// The first piece's list: the last member of the root object, the only one named `key`
// (the body's list is the first member so named, and the cut must be inside it).
std::optional<array> first_piece_list(JsonListing& piece, std::string_view key) {
  if (key.empty()) return piece.root_array();
  auto root = piece.root_object();
  if (!root) return std::nullopt;
  std::optional<simdjson::dom::key_value_pair> last;
  size_t named = 0;
  for (auto field : *root) {
    named += field.key == key;
    last = field;
  }
  array list;
  if (named != 1 || !last || last->key != key || last->value.get(list) != simdjson::SUCCESS) return std::nullopt;
  return list;
}

// The last piece's list: the member the framing opened, the root object's first.
std::optional<array> last_piece_list(JsonListing& piece, std::string_view key) {
  if (key.empty()) return piece.root_array();
  auto root = piece.root_object();
  array list;
  if (!root || root->begin() == root->end() || (*root->begin()).value.get(list) != simdjson::SUCCESS) return std::nullopt;
  return list;
}

// A key the framing can write as it is ("data", "models"): no quote, backslash or control.
bool plain_key(std::string_view key) {
  return std::none_of(key.begin(), key.end(), [](char c) { return c == '"' || c == '\\' || static_cast<unsigned char>(c) < 0x20; });
}

}  // namespace

std::vector<size_t> entry_cuts(std::string_view body, size_t piece_bytes) {
  std::vector<size_t> cuts;
  if (piece_bytes == 0 || body.size() <= piece_bytes) return cuts;
  size_t from = piece_bytes;
  while (from < body.size()) {
    size_t close = body.find('}', from);
    if (close == std::string_view::npos) break;
    size_t comma = skip_spaces(body, close + 1);
    if (comma < body.size() && body[comma] == ',') {
      size_t open = skip_spaces(body, comma + 1);
      if (open < body.size() && body[open] == '{') {
        cuts.push_back(comma);
        from = comma + piece_bytes;
        continue;
      }
    }
    from = close + 1;
  }
  return cuts;
}

PiecesOutcome read_list_in_pieces(const std::string& provider, std::string& body, std::string_view key,
                                  size_t piece_bytes, const ReadPiece& read_piece) {
  if (!plain_key(key)) return PiecesOutcome::whole;
  // A piece must fit the parser a thread keeps: a bigger one would get a fresh parser each.
  auto cuts = entry_cuts(body, std::min(piece_bytes, kMaxPieceBytes));
  if (cuts.empty()) return PiecesOutcome::whole;
  // The middle pieces are parsed where they lie: simdjson reads up to its padding past each.
  body.reserve(body.size() + simdjson::SIMDJSON_PADDING);
  const bool in_object = !key.empty();
  std::string framed;
  {
    frame(framed, "", std::string_view(body).substr(0, cuts.front()), in_object ? "]}" : "]");
    JsonListing piece(provider, framed, simdjson::DEFAULT_MAX_DEPTH);
    auto list = first_piece_list(piece, key);
    if (!list) return PiecesOutcome::abandoned;
    // At most one entry per kMinGuessedEntryBytes, and kMaxGuessedEntries: a first piece of
    // tiny entries before long ones would otherwise have room made for millions of models
    // (216 bytes each). A low guess only regrows.
    const size_t guess = std::min({list->size() * body.size() / std::max<size_t>(cuts.front(), 1),
                                   body.size() / kMinGuessedEntryBytes, kMaxGuessedEntries});
    if (!read_piece(piece, *list, guess)) return PiecesOutcome::abandoned;
  }
  // "[" + entries + "]" sits one level higher than the entries' list in a root object.
  const size_t middle_depth = simdjson::DEFAULT_MAX_DEPTH - (in_object ? 1 : 0);
  for (size_t i = 1; i < cuts.size(); ++i) {
    Brackets brackets(body, cuts[i - 1], cuts[i]);
    JsonListing piece(provider, std::string_view(body).substr(cuts[i - 1], cuts[i] - cuts[i - 1] + 1), middle_depth);
    auto list = piece.root_array();
    if (!list || !read_piece(piece, *list, 0)) return PiecesOutcome::abandoned;
  }
  {
    std::string opening = in_object ? "{\"" + std::string(key) + "\":[" : "[";
    frame(framed, opening, std::string_view(body).substr(cuts.back() + 1), "");
    JsonListing piece(provider, framed, simdjson::DEFAULT_MAX_DEPTH);
    auto list = last_piece_list(piece, key);
    if (!list || !read_piece(piece, *list, 0)) return PiecesOutcome::abandoned;
  }
  return PiecesOutcome::read;
}

}  // namespace airreg::providers

// Cutting a listing into pieces (providers/listing_pieces.hpp): where the cuts fall, and which
// bodies prove out in pieces and which are given back to be read whole, with the body intact.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "providers/listing_pieces.hpp"

using namespace airreg::providers;

namespace {

// `n` entries {"id":"m<i>","n":<i>} in a list under "data", joined by `comma`.
std::string listing(int n, const std::string& comma = ",", const std::string& extra = "") {
  std::string body = "{\"data\":[";
  for (int i = 0; i < n; ++i) {
    if (i) body += comma;
    body += "{\"id\":\"m" + std::to_string(i) + "\",\"n\":" + std::to_string(i) + extra + "}";
  }
  return body + "]}";
}

struct Read {
  PiecesOutcome outcome;
  std::vector<std::string> ids;
  size_t pieces = 0;
  std::vector<size_t> guesses;  // each piece's guess of the list's length
};

// Reads body's list in pieces of `bytes`, collecting the ids; the body must come back intact.
Read in_pieces(std::string body, size_t bytes, std::string_view key = "data") {
  const std::string before = body;
  Read out{};
  out.outcome = read_list_in_pieces("test", body, key, bytes, [&](JsonListing& piece, array& list, size_t guess) {
    ++out.pieces;
    out.guesses.push_back(guess);
    for (value item : list) {
      auto entry = piece.as_object(item, "an object");
      if (!entry) return false;
      out.ids.push_back(piece.text(*entry, "id").value_or("?"));
    }
    return true;
  });
  CHECK(body == before);
  return out;
}

std::vector<std::string> ids_of(int n) {
  std::vector<std::string> ids;
  for (int i = 0; i < n; ++i) ids.push_back("m" + std::to_string(i));
  return ids;
}

}  // namespace

TEST_CASE("a listing is cut at the commas between entries, about every piece's size", "[listing_pieces]") {
  std::string body = listing(200);
  CHECK(entry_cuts(body, 0).empty());
  CHECK(entry_cuts(body, body.size()).empty());
  auto cuts = entry_cuts(body, 100);
  REQUIRE(cuts.size() > 10);
  size_t last = 0;
  for (size_t cut : cuts) {
    CAPTURE(cut);
    CHECK(body[cut] == ',');
    CHECK(body[cut - 1] == '}');
    CHECK(body[cut + 1] == '{');
    CHECK(cut >= last + 100);
    last = cut;
  }
  // Whitespace around the comma, as pretty-printed listings have it.
  std::string spaced = listing(50, " \n ,\r\n\t ");
  auto spaced_cuts = entry_cuts(spaced, 64);
  REQUIRE_FALSE(spaced_cuts.empty());
  for (size_t cut : spaced_cuts) CHECK(spaced[cut] == ',');
  // No "}", "," and "{" in a row past the first piece: nothing to cut at.
  CHECK(entry_cuts("{\"data\":[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15]}", 4).empty());
}

TEST_CASE("a listing read in pieces gives every entry once, in order", "[listing_pieces]") {
  for (size_t bytes : {1, 50, 333, 4096}) {
    CAPTURE(bytes);
    auto read = in_pieces(listing(300), bytes);
    CHECK(read.outcome == PiecesOutcome::read);
    CHECK(read.ids == ids_of(300));
    CHECK(read.pieces >= 2);
  }
  // The first piece guesses the list's length from its share of the body; the others do not.
  auto guessed = in_pieces(listing(3000), 4096);
  REQUIRE(guessed.pieces > 2);
  CHECK(guessed.guesses[0] > 2700);
  CHECK(guessed.guesses[0] < 3600);  // later ids are longer
  CHECK(std::count(guessed.guesses.begin(), guessed.guesses.end(), size_t{0}) == static_cast<long>(guessed.pieces - 1));
  // A first piece of tiny entries before long ones guesses no more than one entry in 16 bytes.
  std::string dense = "{\"data\":[";
  for (int i = 0; i < 3000; ++i) dense += "{},";
  for (int i = 0; i < 50; ++i) dense += "{\"id\":\"" + std::string(20000, 'x') + "\"},";
  dense += "{}]}";
  auto capped_guess = in_pieces(dense, 4096);
  REQUIRE(capped_guess.outcome == PiecesOutcome::read);
  CHECK(capped_guess.guesses[0] == dense.size() / kMinGuessedEntryBytes);
  // And never more than kMaxGuessedEntries, however long the body.
  std::string many = "{\"data\":[";
  for (int i = 0; i < 200000; ++i) many += "{\"id\":\"m" + std::to_string(i) + "\"},";
  many += "{}]}";
  auto most = in_pieces(many, 4096);
  REQUIRE(most.outcome == PiecesOutcome::read);
  CHECK(most.guesses[0] == kMaxGuessedEntries);
  CHECK(most.ids.size() == 200001);
  auto spaced = in_pieces(listing(300, " ,\n  "), 100);
  CHECK(spaced.outcome == PiecesOutcome::read);
  CHECK(spaced.ids == ids_of(300));
  // Members before and after the list; a root list.
  std::string around = "{\"object\":\"list\"," + listing(100).substr(1, listing(100).size() - 2) + ",\"has_more\":false}";
  CHECK(in_pieces(around, 64).ids == ids_of(100));
  std::string root = listing(100).substr(8, listing(100).size() - 9);
  REQUIRE(root.front() == '[');
  auto root_read = in_pieces(root, 64, "");
  CHECK(root_read.outcome == PiecesOutcome::read);
  CHECK(root_read.ids == ids_of(100));
  // Pieces no bigger than a kept parser, whatever is asked: 1 MB asked in one piece comes in eight.
  std::string long_listing = listing(45000);
  REQUIRE(long_listing.size() > 8 * kMaxPieceBytes);
  auto capped = in_pieces(long_listing, 64 * kMaxPieceBytes);
  CHECK(capped.outcome == PiecesOutcome::read);
  CHECK(capped.ids == ids_of(45000));
  CHECK(capped.pieces >= 8);
  // Short, or nothing to cut at: read whole, nothing read here.
  CHECK(in_pieces(listing(3), 4096).outcome == PiecesOutcome::whole);
  CHECK(in_pieces(listing(3), 0).outcome == PiecesOutcome::whole);
}

TEST_CASE("cuts that are not between entries are found out and the body is given back whole", "[listing_pieces]") {
  // "},{" inside a string: the cut there leaves a piece with an odd number of quotes.
  std::string in_string = listing(40, ",", ",\"d\":\"x},{y},{z\"");
  CHECK(in_pieces(in_string, 1).outcome == PiecesOutcome::abandoned);
  // "},{" in an entry's own list of objects: the closers do not match.
  std::string nested = listing(40, ",", ",\"l\":[{\"a\":1},{\"b\":2}]");
  CHECK(in_pieces(nested, 1).outcome == PiecesOutcome::abandoned);
  // A second "data" before the cut: the first piece's list is not the body's list.
  std::string twice = "{\"data\":[{\"id\":\"a\"}],\"data\":[" + listing(40).substr(9);
  CHECK(in_pieces(twice, 1).outcome == PiecesOutcome::abandoned);
  // The list is not under the key read.
  CHECK(in_pieces(listing(40), 1, "models").outcome == PiecesOutcome::abandoned);
  // A syntax error in a middle piece, in the last one.
  std::string broken = listing(40);
  broken.replace(broken.find("\"n\":20"), 6, "\"n\":2x");
  CHECK(in_pieces(broken, 1).outcome == PiecesOutcome::abandoned);
  CHECK(in_pieces(listing(40).substr(0, listing(40).size() - 1), 1).outcome == PiecesOutcome::abandoned);
  // A reader that gives up.
  std::string body = listing(40);
  size_t pieces = 0;
  CHECK(read_list_in_pieces("test", body, "data", 1, [&](JsonListing&, array&, size_t) { return ++pieces < 3; }) ==
        PiecesOutcome::abandoned);
  CHECK(body == listing(40));
}

TEST_CASE("a middle piece has the depth limit of its place in the whole body", "[listing_pieces]") {
  // An entry nested `depth` lists deep, in the middle of the list: in pieces it is read
  // exactly when the whole body parses.
  for (int depth : {1018, 1019, 1020, 1021, 1022, 1023}) {
    CAPTURE(depth);
    std::string deep = std::string(static_cast<size_t>(depth), '[') + std::string(static_cast<size_t>(depth), ']');
    std::string body = listing(20);
    size_t at = body.find("{\"id\":\"m10\"");
    body.insert(at, "{\"id\":\"deep\",\"l\":" + deep + "},");
    simdjson::dom::parser whole;
    bool parses = !whole.parse(body).error();
    auto read = in_pieces(body, 1);
    CHECK(read.outcome == (parses ? PiecesOutcome::read : PiecesOutcome::abandoned));
  }
}

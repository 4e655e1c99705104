// Collects one provider's listing into a DiscoveryResult for one category: classes each
// entry by the rules (and their checks on the entry), keeps or skips it with the reason, and
// treats an id listed twice as one model (kept if any of its entries is kept). Not
// thread-safe: one per discovery.
#pragma once

#include <string>

#include "airreg/discovery.hpp"
#include "providers/id_index.hpp"
#include "providers/json_listing.hpp"
#include "providers/provider_rules.hpp"

namespace airreg::providers {

class ListingBuilder {
 public:
  // `keep_skipped`: record the entries not kept in result.skipped (else only count them).
  ListingBuilder(const ProviderRules& rules, std::string rules_key, DiscoveryResult& result, bool keep_skipped = true);
  // Classes the model; `entry` is its object in `listing`, for the rules' checks.
  void offer(ModelInfo model, object& entry, JsonListing& listing);
  // Room for `entries` more entries: to tell their ids apart without rehashing, and to keep
  // them all (the caller returns the spare room once the listing is read).
  void expect(size_t entries);
  // Whether nothing was offered yet and the result holds no model: restart() can undo what
  // is offered from here on.
  bool fresh() const;
  // Forgets every entry offered, as when fresh(): a listing read in pieces that gave up
  // (providers/listing_pieces.hpp) is read again whole.
  void restart();
  // Once the listing is read, before its result is used: the skipped entries of ids a later
  // entry kept leave result.skipped. Nothing may be offered after it.
  void finish();
  // Entries with an id, kept or not.
  size_t seen() const { return named_; }
  // Entries without an id (or whose id is not a string): ignored, and counted.
  size_t unnamed() const { return unnamed_; }

 private:
  void decide(ModelInfo model, bool keep, std::string reason);

  const ProviderRules& rules_;
  std::string rules_key_;
  DiscoveryResult& result_;
  bool keep_skipped_;
  // The provider's rules, looked up once (the rules outlive this); null when it has none.
  const ProviderRules::Provider* provider_rules_;
  // Marks a reference to result.skipped; without it, one to result.models.
  static constexpr IdIndex::Ref kSkippedBit = IdIndex::Ref{1} << 31;
  // Each id's entry, kept or skipped; without keep_skipped, the kept ones only.
  IdIndex seen_;
  IdIndex unclassified_;  // into result.unclassified
  size_t named_ = 0, unnamed_ = 0;
  size_t dropped_ = 0;  // skipped entries of ids kept later, for finish()
};

// Adds a feature once, keeping the order features were found in.
void add_feature(ModelInfo& model, std::string_view feature);

}  // namespace airreg::providers

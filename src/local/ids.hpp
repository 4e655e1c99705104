// Airtable-looking ids: a three-letter prefix (app, tbl, fld, rec, viw, sel, itr) and 14
// characters, and random bytes for secrets. Thread-safe: the generator holds its own lock.
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <random>
#include <string>

namespace airtable_local {

class IdGenerator {
 public:
  // A seed makes a run repeatable (tests); without one the ids differ per run.
  explicit IdGenerator(std::optional<uint64_t> seed = std::nullopt);
  std::string next(const char* prefix);
  // Secrets (a webhook's MAC key): from the same generator, so a seeded run repeats them too.
  std::string random_bytes(size_t count);

 private:
  std::mutex mutex_;
  std::mt19937_64 rng_;
};

}  // namespace airtable_local

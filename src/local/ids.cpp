#include "ids.hpp"

namespace airtable_local {

IdGenerator::IdGenerator(std::optional<uint64_t> seed)
    : rng_(seed ? *seed : std::random_device{}()) {}

std::string IdGenerator::next(const char* prefix) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  std::string id = prefix;
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<size_t> pick(0, sizeof kAlphabet - 2);
  for (int i = 0; i < 14; ++i) id += kAlphabet[pick(rng_)];
  return id;
}

std::string IdGenerator::random_bytes(size_t count) {
  std::string out(count, '\0');
  std::lock_guard lock(mutex_);
  std::uniform_int_distribution<int> byte(0, 255);
  for (auto& c : out) c = static_cast<char>(byte(rng_));
  return out;
}

}  // namespace airtable_local

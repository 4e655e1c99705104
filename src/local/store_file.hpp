// airtable-local's data file: the whole Store as one JSON document, written atomically
// (temp file, fsync, rename) so a crash leaves either the old or the new file.
// Not thread-safe: the caller holds the store's lock.
#pragma once

#include <expected>
#include <string>

#include "model.hpp"

namespace airtable_local {

// A missing file is an empty store; a broken one is an error naming the file and the cause.
std::expected<Store, std::string> load_store(const std::string& path);
std::expected<void, std::string> save_store(const Store& store, const std::string& path);

}  // namespace airtable_local

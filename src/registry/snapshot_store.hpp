// The last registry table read from Airtable, per base, kept in the state directory
// (state.db, beside the outbox) so that statuses and people's choices are known when
// Airtable cannot be read, also right after a restart. A save is one transaction (threads and
// processes saving at once never see half a snapshot); a broken or missing snapshot loads as
// none. Cells are stored with the key of their column, so a snapshot saved with field ids
// still reads after a start without them. Thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "registry/table_snapshot.hpp"

namespace airreg::registry {

class SnapshotStore {
 public:
  explicit SnapshotStore(std::filesystem::path dir);
  ~SnapshotStore();

  Result<void> save(const std::string& base_id, const TableSnapshot& snapshot, const Columns& columns);
  // Nothing when there is none or it cannot be read (the reason in `why`, when given).
  std::optional<TableSnapshot> load(const std::string& base_id, const Columns& columns, std::string* why = nullptr) const;

  // The tables' columns as last read from the meta API: a restart needs no request for them.
  Result<void> save_binding(const std::string& base_id, const airtable::BoundTables& tables);
  std::optional<airtable::BoundTables> load_binding(const std::string& base_id, const RegistrySchemas& schemas) const;

 private:
  struct Store;
  Result<Store*> store() const;
  std::filesystem::path dir_;
  mutable std::mutex mutex_;
  mutable std::unique_ptr<Store> store_;
};

}  // namespace airreg::registry

// A thin RAII face over SQLite for airreg's durable local state (the outbox, refused rows,
// table snapshots): one database file in the state directory, WAL mode so that readers never
// wait for a writer, a busy timeout so that several processes sharing the directory take
// turns instead of failing, and every error as a Result naming the file and SQLite's words.
// A Database is one connection: not thread-safe by itself; its owner serialises the calls.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "airreg/error.hpp"

struct sqlite3;
struct sqlite3_blob;
struct sqlite3_stmt;

namespace airreg::core {

class Statement;
class BlobWriter;

class Database {
 public:
  // Opens (creating it 0600 if missing) and runs `schema` (idempotent statements).
  static Result<Database> open(const std::filesystem::path& file, std::string_view schema,
                               std::chrono::milliseconds busy_timeout = std::chrono::milliseconds(10'000));
  Database(Database&& other) noexcept;
  Database& operator=(Database&& other) noexcept;
  ~Database();

  Result<void> exec(std::string_view sql);
  Result<Statement> prepare(std::string_view sql);
  // Writes into the cell (table, column) of row `rowid`, which holds zeroblob(n) bytes: a
  // value made piece by piece, never whole in memory (see BlobWriter).
  Result<BlobWriter> open_blob(const char* table, const char* column, int64_t rowid);
  // BEGIN IMMEDIATE: takes the write lock now, so two processes never both read then write.
  Result<void> begin();
  Result<void> commit();
  void rollback();
  int64_t last_insert_id() const;
  int changes() const;
  const std::filesystem::path& file() const { return file_; }

 private:
  Database(sqlite3* db, std::filesystem::path file) : db_(db), file_(std::move(file)) {}
  sqlite3* db_ = nullptr;
  std::filesystem::path file_;
};

// Runs `body` (returning Result<void>) in one write transaction (BEGIN IMMEDIATE): committed
// when it succeeds; rolled back when it fails, throws, or the commit fails, so that the
// connection never stays inside a transaction holding the file's write lock (other processes'
// writers would wait on it until this one exits).
template <typename Body>
Result<void> in_transaction(Database& db, Body&& body) {
  if (auto begun = db.begin(); !begun) return begun;
  struct RollbackUnlessCommitted {
    Database& db;
    bool committed = false;
    ~RollbackUnlessCommitted() {
      if (!committed) db.rollback();
    }
  } guard{db};
  Result<void> done = body();
  if (done) done = db.commit();
  guard.committed = done.has_value();
  return done;
}

// A prepared statement: bind by 1-based index, step, read columns of the current row. Lives
// shorter than the Database that prepared it.
class Statement {
 public:
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&&) = delete;
  ~Statement();

  Statement& bind(int index, std::string_view text);
  Statement& bind(int index, int64_t value);
  Statement& bind_null(int index);
  // `bytes` zero bytes, to be written over by a BlobWriter (SQLite makes the row without
  // them in memory).
  Statement& bind_zeroblob(int index, size_t bytes);
  // true: a row is there to read; false: done. An error names the statement's file.
  Result<bool> step();
  // Runs to completion (for INSERT, UPDATE, DELETE).
  Result<void> run();
  std::string text(int column) const;
  int64_t integer(int column) const;
  bool is_null(int column) const;
  void reset();

 private:
  friend class Database;
  Statement(sqlite3* db, sqlite3_stmt* stmt, std::string file) : db_(db), stmt_(stmt), file_(std::move(file)) {}
  sqlite3* db_;
  sqlite3_stmt* stmt_;
  std::string file_;  // for messages
  bool bind_failed_ = false;
};

// Writes a cell's bytes in order, piece by piece, where the cell was made zeroblob(n) (the
// whole value is never in memory, ours or SQLite's). Closed when destroyed; lives shorter
// than its Database, and is closed before the transaction it writes in is committed.
class BlobWriter {
 public:
  BlobWriter(BlobWriter&& other) noexcept;
  BlobWriter& operator=(BlobWriter&&) = delete;
  ~BlobWriter();

  // The next bytes of the cell; an error past its size, or from SQLite.
  Result<void> append(std::string_view piece);
  size_t written() const { return written_; }
  size_t size() const { return size_; }

 private:
  friend class Database;
  BlobWriter(sqlite3* db, sqlite3_blob* blob, size_t size, std::string file)
      : db_(db), blob_(blob), size_(size), file_(std::move(file)) {}
  sqlite3* db_;
  sqlite3_blob* blob_;
  size_t size_;
  size_t written_ = 0;
  std::string file_;  // for messages
};

}  // namespace airreg::core

#include "core/sqlite_db.hpp"

#include "core/durable_file.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace airreg::core {

namespace {

Error db_error(sqlite3* db, const std::string& file, std::string_view what) {
  std::string said = db ? sqlite3_errmsg(db) : "out of memory";
  int code = db ? sqlite3_extended_errcode(db) : SQLITE_NOMEM;
  // Busy after the timeout: another process holds the database; trying later may work.
  bool busy = (code & 0xff) == SQLITE_BUSY || (code & 0xff) == SQLITE_LOCKED;
  return make_error(ErrorCode::io, std::string(what) + " " + file + ": " + said, busy);
}

}  // namespace

Result<Database> Database::open(const std::filesystem::path& file, std::string_view schema,
                                std::chrono::milliseconds busy_timeout) {
  // Created 0600 by us (SQLite would use the umask), and never through a symbolic link.
  int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return std::unexpected(make_error(ErrorCode::io, "cannot open " + file.string() + ": " + std::strerror(errno)));
  ::close(fd);
  // Opening, switching to WAL and creating the tables run one process at a time: SQLite
  // answers "locked" or even an I/O error to connections that set up a new WAL database at
  // the same moment (seen with four threads and a second process).
  auto setup = FileLock::acquire(std::filesystem::path(file.string() + ".setup-lock"));
  if (!setup) return std::unexpected(setup.error());
  sqlite3* db = nullptr;
  int rc = sqlite3_open_v2(file.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    Error e = db_error(db, file.string(), "cannot open");
    sqlite3_close(db);
    return std::unexpected(e);
  }
  Database out(db, file);
  sqlite3_busy_timeout(db, static_cast<int>(busy_timeout.count()));
  // WAL: readers and one writer at a time, across processes; FULL: a commit is on disk when it
  // returns. A 256 KiB page cache instead of 2 MB: the state is appended and read in order,
  // and a registry holds a few connections (the OS caches the file anyway).
  if (auto wal = out.exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-256;"); !wal)
    return std::unexpected(wal.error());
  if (auto made = out.exec(schema); !made) return std::unexpected(made.error());
  return out;
}

Database::Database(Database&& other) noexcept : db_(other.db_), file_(std::move(other.file_)) { other.db_ = nullptr; }

Database& Database::operator=(Database&& other) noexcept {
  if (this != &other) {
    if (db_) sqlite3_close(db_);
    db_ = other.db_;
    file_ = std::move(other.file_);
    other.db_ = nullptr;
  }
  return *this;
}

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

Result<void> Database::exec(std::string_view sql) {
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, nullptr) != SQLITE_OK)
    return std::unexpected(db_error(db_, file_.string(), "cannot update"));
  return {};
}

Result<Statement> Database::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    return std::unexpected(db_error(db_, file_.string(), "cannot read"));
  return Statement(db_, stmt, file_.string());
}

Result<BlobWriter> Database::open_blob(const char* table, const char* column, int64_t rowid) {
  sqlite3_blob* blob = nullptr;
  if (sqlite3_blob_open(db_, "main", table, column, rowid, 1, &blob) != SQLITE_OK) {
    Error e = db_error(db_, file_.string(), "cannot write");
    sqlite3_blob_close(blob);  // SQLite may hand back a handle with the error: closed, not leaked
    return std::unexpected(e);
  }
  return BlobWriter(db_, blob, static_cast<size_t>(sqlite3_blob_bytes(blob)), file_.string());
}

Result<void> Database::begin() { return exec("BEGIN IMMEDIATE"); }
Result<void> Database::commit() { return exec("COMMIT"); }
void Database::rollback() { (void)exec("ROLLBACK"); }
int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }
int Database::changes() const { return sqlite3_changes(db_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(other.stmt_), file_(std::move(other.file_)), bind_failed_(other.bind_failed_) {
  other.stmt_ = nullptr;
}

Statement::~Statement() {
  if (stmt_) sqlite3_finalize(stmt_);
}

Statement& Statement::bind(int index, std::string_view text) {
  if (sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT) != SQLITE_OK)
    bind_failed_ = true;
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

Statement& Statement::bind_null(int index) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

Statement& Statement::bind_zeroblob(int index, size_t bytes) {
  if (sqlite3_bind_zeroblob64(stmt_, index, bytes) != SQLITE_OK) bind_failed_ = true;
  return *this;
}

Result<bool> Statement::step() {
  if (bind_failed_) return std::unexpected(db_error(db_, file_, "cannot bind a value for"));
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return std::unexpected(db_error(db_, file_, "cannot update"));
}

Result<void> Statement::run() {
  for (;;) {
    auto row = step();
    if (!row) return std::unexpected(row.error());
    if (!*row) return {};
  }
}

std::string Statement::text(int column) const {
  const unsigned char* t = sqlite3_column_text(stmt_, column);
  return t ? std::string(reinterpret_cast<const char*>(t), static_cast<size_t>(sqlite3_column_bytes(stmt_, column)))
           : std::string();
}

int64_t Statement::integer(int column) const { return sqlite3_column_int64(stmt_, column); }
bool Statement::is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_failed_ = false;
}

BlobWriter::BlobWriter(BlobWriter&& other) noexcept
    : db_(other.db_), blob_(other.blob_), size_(other.size_), written_(other.written_), file_(std::move(other.file_)) {
  other.blob_ = nullptr;
}

BlobWriter::~BlobWriter() {
  if (blob_) sqlite3_blob_close(blob_);
}

Result<void> BlobWriter::append(std::string_view piece) {
  if (piece.size() > size_ - written_)
    return std::unexpected(make_error(ErrorCode::io, "cannot write " + file_ + ": " + std::to_string(written_ + piece.size()) +
                                                         " bytes into a cell of " + std::to_string(size_)));
  if (piece.empty()) return {};
  // Offsets and lengths are ints to SQLite: its values are at most 1 GB (SQLITE_MAX_LENGTH).
  if (sqlite3_blob_write(blob_, piece.data(), static_cast<int>(piece.size()), static_cast<int>(written_)) != SQLITE_OK)
    return std::unexpected(db_error(db_, file_, "cannot write"));
  written_ += piece.size();
  return {};
}

}  // namespace airreg::core

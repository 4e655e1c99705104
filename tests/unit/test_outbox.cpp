#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "airreg/outbox.hpp"
#include "core/durable_file.hpp"
#include "temp_dir.hpp"

using airreg::Fields;
using airreg::FieldValue;
using airreg::Outbox;
using airreg::OutboxEntry;
using airreg::test::TempDir;

namespace {

OutboxEntry entry(const std::string& model, const std::string& base = "appA") {
  OutboxEntry e;
  e.base_id = base;
  e.table = "tblREGISTRY";
  e.merge_on = {"fldPROVIDER", "fldMODEL"};
  e.fields = Fields{{"fldPROVIDER", std::string("openai")}, {"fldMODEL", model}, {"fldCOST", 0.0025},
                    {"fldFEATURES", std::vector<std::string>{"chat", "tools"}}, {"fldAVAILABLE", true},
                    {"fldNOTES", std::monostate{}}};
  e.expect = Fields{{"fldNAME", std::string("as the merge saw it")}, {"fldSTATUS", std::monostate{}}};
  e.label = "openai/" + model;
  return e;
}

}  // namespace

TEST_CASE("appended rows read back exactly, in order, with their compare-and-set values, and leave once done", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path() / "nested" / "state");
  std::vector<OutboxEntry> rows{entry("gpt-4o"), entry("o3")};
  REQUIRE(outbox.append(rows));
  CHECK_FALSE(rows[0].id.empty());
  CHECK(rows[0].id != rows[1].id);
  CHECK(rows[0].queued_at.size() == 24);
  auto waiting = outbox.waiting().value();
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[0].fields == rows[0].fields);
  CHECK(waiting[0].expect == rows[0].expect);
  CHECK(waiting[0].merge_on == rows[0].merge_on);
  CHECK(waiting[0].label == "openai/gpt-4o");
  CHECK(waiting[1].id == rows[1].id);
  REQUIRE(outbox.mark_done({rows[0].id}));
  CHECK(outbox.waiting().value().size() == 1);
  CHECK((std::filesystem::status(dir.path() / "nested" / "state").permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
  CHECK((std::filesystem::status(outbox.database()).permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
}

TEST_CASE("a light read decodes only the key cells; a page of entries reads back whole, in queue order", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("gpt-4o"), entry("o3"), entry("o4-mini")};
  REQUIRE(outbox.append(rows));
  std::vector<OutboxEntry> heads;
  REQUIRE(outbox.each_waiting("appA", airreg::OutboxCells::keys, [&](OutboxEntry& e) { heads.push_back(std::move(e)); }));
  REQUIRE(heads.size() == 3);
  CHECK(heads[1].id == rows[1].id);
  CHECK(heads[1].fields == Fields{{"fldPROVIDER", std::string("openai")}, {"fldMODEL", std::string("o3")}});
  CHECK(heads[1].expect.empty());
  CHECK(heads[1].merge_on == rows[1].merge_on);
  // Asked out of order, with an id that is not waiting: queue order, the missing one skipped.
  auto page = outbox.entries({rows[2].id, "no-such-id", rows[0].id}).value();
  REQUIRE(page.size() == 2);
  CHECK(page[0].id == rows[0].id);
  CHECK(page[0].fields == rows[0].fields);
  CHECK(page[0].expect == rows[0].expect);
  CHECK(page[1].id == rows[2].id);
}

TEST_CASE("an update by record id keeps its record id and no key", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  OutboxEntry e;
  e.base_id = "appA";
  e.table = "tblREGISTRY";
  e.record_id = "recABC";
  e.fields = Fields{{"fldVERIFIED", std::string("2026-11-22T10:00:00.000Z")}};
  std::vector<OutboxEntry> rows{e};
  REQUIRE(outbox.append(rows));
  auto back = outbox.waiting().value();
  REQUIRE(back.size() == 1);
  CHECK(back[0].record_id == "recABC");
  CHECK(back[0].merge_on.empty());
}

TEST_CASE("rows of another base stay in the outbox untouched", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("a", "appA"), entry("b", "appB")};
  REQUIRE(outbox.append(rows));
  CHECK(outbox.waiting("appA").value().size() == 1);
  CHECK(outbox.waiting("appB").value().front().fields.at("fldMODEL") == FieldValue(std::string("b")));
  CHECK(outbox.status("appB").value().waiting == 1);
  CHECK(outbox.status().value().waiting == 2);
}

TEST_CASE("status tells how many rows wait and since when", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  CHECK(outbox.status().value().waiting == 0);
  CHECK(outbox.status().value().oldest.empty());
  std::vector<OutboxEntry> rows{entry("a"), entry("b")};
  rows[1].queued_at = "2026-01-01T00:00:00.000Z";
  REQUIRE(outbox.append(rows));
  auto s = outbox.status().value();
  CHECK(s.waiting == 2);
  CHECK(s.oldest == "2026-01-01T00:00:00.000Z");
}

TEST_CASE("a refused row is kept aside with the message and can be put back in the queue", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("bad"), entry("good")};
  REQUIRE(outbox.append(rows));
  REQUIRE(outbox.reject({{rows[0], "Field \"Max Tokens\" cannot accept the provided value"}}));
  CHECK(outbox.waiting().value().size() == 1);
  CHECK(outbox.status().value().rejected == 1);
  auto refused = outbox.rejected().value();
  REQUIRE(refused.size() == 1);
  CHECK_THAT(refused[0].message, Catch::Contains("cannot accept"));
  CHECK(refused[0].entry.fields == rows[0].fields);
  CHECK(refused[0].entry.expect == rows[0].expect);
  CHECK(outbox.requeue_rejected("appA").value() == 1);
  CHECK(outbox.status().value().rejected == 0);
  auto waiting = outbox.waiting().value();
  REQUIRE(waiting.size() == 2);
  CHECK(waiting[1].label == "openai/bad");  // back at the end of the queue
  CHECK(waiting[1].id != rows[0].id);
}

TEST_CASE("rewriting a row keeps its place and changes its cells", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("a"), entry("b")};
  REQUIRE(outbox.append(rows));
  rows[0].fields.erase("fldCOST");
  REQUIRE(outbox.rewrite(rows[0]));
  auto waiting = outbox.waiting().value();
  CHECK(waiting[0].id == rows[0].id);
  CHECK(waiting[0].fields.count("fldCOST") == 0);
}

TEST_CASE("threads and processes appending at once lose nothing", "[outbox]") {
  TempDir dir;
  constexpr int kPerWriter = 50;
  auto write_rows = [&](const std::string& who) {
    Outbox outbox(dir.path());
    for (int i = 0; i < kPerWriter; ++i) {
      std::vector<OutboxEntry> rows{entry(who + "-" + std::to_string(i))};
      if (auto appended = outbox.append(rows); !appended) {
        std::fprintf(stderr, "%s: %s\n", who.c_str(), appended.error().describe().c_str());
        return false;
      }
    }
    return true;
  };
  pid_t child = fork();
  if (child == 0) _exit(write_rows("child") ? 0 : 1);
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] { ok += write_rows("thread" + std::to_string(t)) ? 1 : 0; });
  for (auto& t : threads) t.join();
  int status = 0;
  waitpid(child, &status, 0);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(ok == 4);
  CHECK(Outbox(dir.path()).waiting().value().size() == 5 * kPerWriter);
}

TEST_CASE("a queue of airreg 0.1 is named, not replayed, even when it ends in a short torn line", "[outbox]") {
  TempDir dir;
  // 15 bytes or fewer: the old reader kept views into a moved string of this size (ASan found it).
  std::ofstream(dir.path() / "outbox.jsonl") << R"({"id":"x","ba)";
  Outbox outbox(dir.path());
  auto status = outbox.status().value();
  CHECK(status.waiting == 0);
  REQUIRE(status.warnings.size() == 1);
  CHECK_THAT(status.warnings[0], Catch::Contains("airreg 0.1") && Catch::Contains("airreg sync"));
}

TEST_CASE("an unwritable state directory is an io error naming the path", "[outbox]") {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  Outbox outbox(dir.path() / "file" / "state");
  std::vector<OutboxEntry> rows{entry("a")};
  auto appended = outbox.append(rows);
  REQUIRE_FALSE(appended);
  CHECK(appended.error().code == airreg::ErrorCode::io);
  CHECK_THAT(appended.error().message, Catch::Contains((dir.path() / "file").string()));
}

TEST_CASE("a state directory others may write, or a symbolic link, is refused with what to do", "[outbox]") {
  TempDir dir;
  auto open = dir.path() / "open";
  std::filesystem::create_directory(open);
  ::chmod(open.c_str(), 0777);
  std::vector<OutboxEntry> rows{entry("a")};
  auto refused = Outbox(open).append(rows);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == airreg::ErrorCode::config);
  CHECK_THAT(refused.error().message, Catch::Contains("may be written by others") && Catch::Contains("chmod 700"));
  std::filesystem::create_directory(dir.path() / "real");
  std::filesystem::create_directory_symlink(dir.path() / "real", dir.path() / "link");
  auto linked = Outbox(dir.path() / "link").append(rows);
  REQUIRE_FALSE(linked);
  CHECK_THAT(linked.error().message, Catch::Contains("symbolic link"));
}

TEST_CASE("the state directory comes from AIRREG_STATE_DIR, then XDG_STATE_HOME, then HOME", "[outbox]") {
  ::setenv("AIRREG_STATE_DIR", "/s/airreg-here", 1);
  CHECK(airreg::default_state_dir().value() == "/s/airreg-here");
  ::unsetenv("AIRREG_STATE_DIR");
  ::setenv("XDG_STATE_HOME", "/x", 1);
  CHECK(airreg::default_state_dir().value() == "/x/airreg");
  ::unsetenv("XDG_STATE_HOME");
  std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  ::setenv("HOME", "/h", 1);
  CHECK(airreg::default_state_dir().value() == "/h/.local/state/airreg");
  ::setenv("HOME", home.c_str(), 1);
}

TEST_CASE("files replaced by many threads at once all land (each save has its own temporary name)", "[durable_file]") {
  TempDir dir;
  auto target = dir.path() / "snapshot.json";
  std::atomic<int> failed{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t)
    threads.emplace_back([&, t] {
      for (int round = 0; round < 200; ++round)
        if (!airreg::core::replace_durably(target, "thread " + std::to_string(t))) ++failed;
    });
  for (auto& t : threads) t.join();
  CHECK(failed == 0);
  auto text = airreg::core::read_text(target).value();
  CHECK((text == "thread 0" || text == "thread 1"));
}

#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>

#include "airreg/outbox.hpp"
#include "core/durable_file.hpp"
#include "temp_dir.hpp"

using airreg::Fields;
using airreg::Outbox;
using airreg::OutboxEntry;
using airreg::test::TempDir;

namespace {

OutboxEntry entry(const std::string& model, const std::string& base = "appA") {
  Fields f{{"Provider ID", std::string("openai")}, {"Model ID", model}, {"Cost per 1K tokens", 0.0025},
           {"Features", std::vector<std::string>{"chat", "tools"}}, {"Available", true}, {"Notes", std::monostate{}}};
  return OutboxEntry{{}, base, "AI Model Registry", {"Provider ID", "Model ID"}, f, {}};
}

std::string file_text(const std::filesystem::path& p) { return airreg::core::read_text(p).value(); }

}  // namespace

TEST_CASE("appended rows read back exactly, in order, and leave once marked done", "[outbox]") {
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
  CHECK(waiting[0].merge_on == rows[0].merge_on);
  CHECK(waiting[1].id == rows[1].id);
  REQUIRE(outbox.mark_done({rows[0].id}));
  CHECK(outbox.waiting().value().size() == 1);
  REQUIRE(outbox.compact());
  CHECK(outbox.waiting().value().size() == 1);
  CHECK(file_text(dir.path() / "nested" / "state" / "outbox.jsonl").find("done") == std::string::npos);
  CHECK((std::filesystem::status(dir.path() / "nested" / "state").permissions() & std::filesystem::perms::others_all) ==
        std::filesystem::perms::none);
}

TEST_CASE("rows of another base stay in the outbox untouched", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("a", "appA"), entry("b", "appB")};
  REQUIRE(outbox.append(rows));
  CHECK(outbox.waiting("appA").value().size() == 1);
  CHECK(outbox.waiting("appB").value().front().fields.at("Model ID") == airreg::FieldValue(std::string("b")));
  CHECK(outbox.status("appB").value().waiting == 1);
  CHECK(outbox.status().value().waiting == 2);
}

TEST_CASE("a line cut short by a crash is set aside, never lost, and later appends are whole", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> first{entry("gpt-4o")};
  REQUIRE(outbox.append(first));
  {
    std::ofstream torn(dir.path() / "outbox.jsonl", std::ios::app);
    torn << R"({"id":"x","base":"appA","table":"AI Mo)";
  }
  std::vector<OutboxEntry> second{entry("o3")};
  REQUIRE(outbox.append(second));
  auto status = outbox.status().value();
  CHECK(status.waiting == 2);
  CHECK(status.unreadable == 1);
  REQUIRE_FALSE(status.warnings.empty());
  REQUIRE(outbox.compact());
  CHECK(outbox.status().value().unreadable == 0);
  CHECK(file_text(dir.path() / "outbox.bad.jsonl").find("AI Mo") != std::string::npos);
  CHECK(outbox.waiting().value().size() == 2);
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

TEST_CASE("a refused row moves to rejected.jsonl with the message", "[outbox]") {
  TempDir dir;
  Outbox outbox(dir.path());
  std::vector<OutboxEntry> rows{entry("bad")};
  REQUIRE(outbox.append(rows));
  REQUIRE(outbox.reject({{rows[0], "Field \"Max Tokens\" cannot accept the provided value"}}));
  CHECK(outbox.waiting().value().empty());
  CHECK(outbox.status().value().rejected == 1);
  CHECK(file_text(dir.path() / "rejected.jsonl").find("cannot accept") != std::string::npos);
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

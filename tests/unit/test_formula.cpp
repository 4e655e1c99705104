// Formula quoting: no text can break out of a literal or a field reference.
#include <catch2/catch.hpp>

#include "airreg/formula.hpp"

using namespace airreg;

TEST_CASE("quote escapes backslashes and single quotes", "[formula]") {
  CHECK(formula::quote("gpt-4o") == "'gpt-4o'");
  CHECK(formula::quote("it's") == "'it\\'s'");
  CHECK(formula::quote("a\\b") == "'a\\\\b'");
  CHECK(formula::quote("it's/\"odd\"}") == "'it\\'s/\"odd\"}'");
  // An injection attempt stays one literal.
  CHECK(formula::quote("x' OR '1'='1") == "'x\\' OR \\'1\\'=\\'1'");
  CHECK(formula::quote("\\') OR TRUE() OR ('") == "'\\\\\\') OR TRUE() OR (\\''");
}

TEST_CASE("field escapes closing braces and backslashes", "[formula]") {
  CHECK(formula::field("Model ID") == "{Model ID}");
  CHECK(formula::field("we}ird") == "{we\\}ird}");
  CHECK(formula::equals("Model ID", "it's") == "{Model ID} = 'it\\'s'");
}

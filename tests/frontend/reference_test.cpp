// docs/language.md ends with the registry's reference (`ynet help layers`); they must not drift.
#include <doctest/doctest.h>

#include <fstream>
#include <sstream>

#include "compiler/sema/reference.h"
#include "ops/registry.h"

TEST_CASE("docs/language.md embeds the current layer reference") {
  std::ifstream in("docs/language.md", std::ios::binary);
  REQUIRE(in.good());
  std::ostringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  const std::string reference = ynet::sema::reference_markdown();
  REQUIRE(doc.size() >= reference.size());
  CHECK_MESSAGE(doc.compare(doc.size() - reference.size(), reference.size(), reference) == 0,
                "regenerate the end of docs/language.md with `ynet help layers`");
}

TEST_CASE("every op is documented with its arguments") {
  for (const ynet::ops::OpDef& op : ynet::ops::all_ops()) {
    INFO(op.name);
    CHECK(!op.doc.empty());
    for (const ynet::ops::ArgDef& a : op.args) CHECK(!a.doc.empty());
    if (op.category == "layer" || op.category == "loss") {
      CHECK(static_cast<bool>(op.shape_rule));
      CHECK(!op.inputs.empty());
    }
  }
}

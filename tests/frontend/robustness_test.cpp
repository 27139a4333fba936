// Hostile input: every case ends in diagnostics, never a crash, a hang or an exception.
#include <doctest/doctest.h>

#include <fstream>
#include <random>
#include <sstream>

#include "tests/frontend/check_helpers.h"

using namespace ynet;

namespace {

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool has_error(const sema::CheckResult& r) { return r.has_errors() && !r.model; }

}  // namespace

TEST_CASE("binary garbage") {
  std::string bytes;
  std::mt19937 rng(7);
  for (int i = 0; i < 5000; ++i) bytes += static_cast<char>(rng() & 0xFF);
  sema::CheckResult r = sema::check_source("g.ynet", bytes, {});
  CHECK(has_error(r));
  std::string out = test::rendered(r);
  CHECK(out.rfind("g.ynet:", 0) == 0);
  CHECK(out.find("invalid") != std::string::npos);
}

TEST_CASE("NUL and control bytes inside otherwise valid text") {
  std::string text = "model M {\n  x = Dense(\x01)\n}\n";
  text += std::string(1, '\0');
  CHECK(test::diagnostics_of(text).rfind("t.ynet:2:13: error: invalid control character 0x01", 0) == 0);
}

TEST_CASE("1 MB of nested parentheses is rejected before parsing") {
  std::string text = "model M { x = " + std::string(1 << 20, '(') + " }\n";
  std::string out = test::diagnostics_of(text);
  CHECK(out.rfind("t.ynet:1:78: error: brackets nest deeper than 64 levels\n", 0) == 0);
  std::string braces = "model M { x = " + std::string(1 << 20, '{') + "\n";
  CHECK(test::diagnostics_of(braces).find("nest deeper") != std::string::npos);
}

TEST_CASE("nesting within the limit still parses") {
  std::string call = "FramePooling(video)";
  for (int i = 0; i < 20; ++i) call = "Relu(" + call + ")";
  sema::CheckResult r = sema::check_source(
      "t.ynet", test::model_with("  y = Dense(" + call + ", units: 5)\n  loss SigmoidCrossEntropy(y, target)\n  output Sigmoid(y)\n"), {});
  CHECK(r.model.has_value());
}

TEST_CASE("a long run of syntax errors stops") {
  std::string text;
  for (int i = 0; i < 5000; ++i) text += "x = = 1\n";
  std::string out = test::diagnostics_of(text);
  CHECK(out.find("ynet: error: t.ynet: too many syntax errors; stopping\n") != std::string::npos);
  size_t errors = 0;
  for (size_t at = out.find("error:"); at != std::string::npos; at = out.find("error:", at + 1)) ++errors;
  CHECK(errors == 21);
}

TEST_CASE("include cycle") {
  sema::CheckResult r = sema::check_file("tests/frontend/data/cycle_a.ynet", {});
  CHECK(test::rendered(r) ==
        "tests/frontend/data/cycle_b.ynet:2:9: error: include cycle: cycle_a.ynet -> cycle_b.ynet -> cycle_a.ynet\n"
        " 2 | include \"cycle_a.ynet\"\n"
        "   |         ^~~~~~~~~~~~~~\n"
        "hint: a file may be included once along any chain of includes\n");
}

TEST_CASE("missing include") {
  sema::CheckResult r = sema::check_file("tests/frontend/data/missing_include.ynet", {});
  CHECK(test::rendered(r) ==
        "tests/frontend/data/missing_include.ynet:3:11: error: cannot include `missing/inputs.ynet`: no such file\n"
        " 3 |   include \"missing/inputs.ynet\"\n"
        "   |           ^~~~~~~~~~~~~~~~~~~~~\n"
        "hint: include paths are relative to the including file (looked for "
        "tests/frontend/data/missing/inputs.ynet)\n");
}

TEST_CASE("unreadable spec paths") {
  CHECK(test::rendered(sema::check_file("tests/frontend/data/nope.ynet", {})) ==
        "ynet: error: cannot read `tests/frontend/data/nope.ynet`: no such file\n");
  CHECK(test::rendered(sema::check_file("tests/frontend", {})) ==
        "ynet: error: cannot read `tests/frontend`: is a directory\n");
}

TEST_CASE("mutated specs never crash") {
  // A deterministic, in-process cousin of the libFuzzer target: byte flips, deletions, duplications
  // and splices of the paper specs.
  std::vector<std::string> seeds = {read("specs/bof_4096.ynet"), read("specs/simple_lstm_2048.ynet"),
                                    read("specs/lstm_moe_512.ynet")};
  std::mt19937 rng(2017);
  for (int i = 0; i < 600; ++i) {
    std::string s = seeds[rng() % seeds.size()];
    const int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits && !s.empty(); ++e) {
      size_t pos = rng() % s.size();
      switch (rng() % 4) {
        case 0: s[pos] = static_cast<char>(rng() & 0xFF); break;
        case 1: s.erase(pos, 1 + rng() % 16); break;
        case 2: s.insert(pos, s.substr(rng() % s.size(), 1 + rng() % 24)); break;
        default: s.insert(pos, std::string(1, "(){}->:,=\"#.0123456789kM"[rng() % 25])); break;
      }
    }
    sema::CheckResult r = sema::check_source("specs/m.ynet", s, {});
    CHECK((r.model.has_value() || r.has_errors()));
  }
}

TEST_CASE("nested repeats stop at the layer budget") {
  std::string out = test::diagnostics_of(test::model_with(
      "  y = FramePooling(video) -> repeat 1000 { repeat 1000 { repeat 1000 { Relu } } }\n  output Sigmoid(Dense(y, units: 5))\n"));
  CHECK(out.find("error: the model expands to more than 100000 layers") != std::string::npos);
}

TEST_CASE("huge layers stop at the parameter budget") {
  std::string out = test::diagnostics_of(test::model_with(
      "  y = FramePooling(video) -> repeat 5 { Dense(16777216) }\n  output Sigmoid(Dense(y, units: 5))\n"));
  CHECK(out.find("error: the model has more than 1e+15 parameters") != std::string::npos);
  CHECK(test::diagnostics_of(test::model_with("  y = Dense(FramePooling(video), units: 9e15)\n")).find(
            "`units` must be in [1, 16777216], got 9e+15") != std::string::npos);
}

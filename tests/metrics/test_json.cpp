// JSON output of metric results.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <limits>
#include <sstream>
#include <string>
#include <unistd.h>

#include "runtime/metrics/json.h"

using namespace ynet::metrics;
namespace fs = std::filesystem;

TEST_CASE("metric results as one JSON line with stable names") {
  MetricResults r;
  r.videos = 3;
  r.positives = 4;
  r.classes_with_positives = 3;
  r.top_k = 2;
  r.hit_at_1 = 0.25;
  r.perr = 0.5;
  r.gap = 0.225;
  r.map = 0.5;
  CHECK(metrics_to_json(r) ==
        R"({"videos": 3, "positives": 4, "classes_with_positives": 3, "top_k": 2, "hit_at_1": 0.25, )"
        R"("perr": 0.5, "gap": 0.225, "map": 0.5})");
  r.full_map = 13.0 / 18;
  CHECK(metrics_to_json(r).ends_with(R"("map": 0.5, "full_map": 0.7222222222222222})"));
}

TEST_CASE("doubles round-trip, non-finite numbers become null, strings are escaped") {
  JsonObject json;
  json.number("third", 1.0 / 3)
      .number("nan", std::nan(""))
      .number("inf", std::numeric_limits<double>::infinity())
      .integer("step", -7)
      .boolean("ok", true)
      .string("text", "a\"b\\c\nd\te\x01");
  CHECK(json.str() ==
        R"({"third": 0.3333333333333333, "nan": null, "inf": null, "step": -7, "ok": true, )"
        R"("text": "a\"b\\c\nd\te\u0001"})");
  CHECK(std::stod("0.3333333333333333") == 1.0 / 3);
  CHECK(JsonObject().str() == "{}");
}

TEST_CASE("write_json_file replaces the file whole and reports failures") {
  const fs::path dir = fs::temp_directory_path() / ("ynet_metrics_json_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path out = dir / "eval.json";
  write_json_file(out, R"({"gap": 0.5})");
  write_json_file(out, R"({"gap": 0.75})");
  std::ifstream in(out);
  std::ostringstream text;
  text << in.rdbuf();
  CHECK(text.str() == "{\"gap\": 0.75}\n");
  CHECK(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}) == 1);  // no temporary left
  CHECK_THROWS_AS(write_json_file(dir / "missing" / "eval.json", "{}"), std::runtime_error);
  fs::remove_all(dir);
}

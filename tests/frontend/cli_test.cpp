// `ynet check` and `ynet help` through the built binary: output and exit status.
#include <doctest/doctest.h>

#include <string>

#include "tests/support/cli_run.h"

namespace {

using Run = ynet::test::CliRun;
using ynet::test::run_ynet;

}  // namespace

TEST_CASE("check prints the summary of every paper spec") {
  Run r = run_ynet("check specs/bof_4096.ynet specs/simple_lstm_2048.ynet specs/lstm_moe_512.ynet");
  CHECK(r.status == 0);
  CHECK(r.output.find("model BoF_4096 (specs/bof_4096.ynet)") != std::string::npos);
  CHECK(r.output.find("trainable parameters:          40,835,948") != std::string::npos);
  CHECK(r.output.find("trainable parameters:          69,450,604") != std::string::npos);
  CHECK(r.output.find("trainable parameters:         109,839,212") != std::string::npos);
  CHECK(r.output.find("  h                         LSTM                 [B, T=90, 2048]  59,785,216") !=
        std::string::npos);
  CHECK(r.output.find("warning") == std::string::npos);
}

TEST_CASE("check with --set") {
  Run r = run_ynet("check specs/simple_lstm_2048.ynet --set hidden=1024");
  CHECK(r.status == 0);
  CHECK(r.output.find("[B, T=90, 1024]") != std::string::npos);
}

TEST_CASE("spec errors exit with status 1") {
  Run r = run_ynet("check tests/frontend/data/missing_include.ynet");
  CHECK(r.status == 1);
  CHECK(r.output.find("missing_include.ynet:3:11: error: cannot include") != std::string::npos);
  CHECK(run_ynet("check tests/frontend/data/no_such_file.ynet").status == 1);
}

TEST_CASE("usage errors exit with status 2") {
  Run unknown = run_ynet("check specs/simple_lstm_2048.ynet --set hiden=5");
  CHECK(unknown.status == 2);
  CHECK(unknown.output == "ynet: error: --set hiden=5: the spec has no param `hiden`; did you mean `hidden`?\n");
  Run malformed = run_ynet("check specs/simple_lstm_2048.ynet --set hidden");
  CHECK(malformed.status == 2);
  CHECK(malformed.output.find("expected NAME=VALUE") != std::string::npos);
  CHECK(run_ynet("check").status == 2);
}

TEST_CASE("help") {
  Run top = run_ynet("--help");
  CHECK(top.status == 0);
  CHECK(top.output.find("check") != std::string::npos);
  Run check = run_ynet("help check");
  CHECK(check.status == 0);
  CHECK(check.output.find("--set") != std::string::npos);
  CHECK(check.output.find("Exit status") != std::string::npos);
  Run layers = run_ynet("help layers");
  CHECK(layers.status == 0);
  CHECK(layers.output.find("#### `MoE`") != std::string::npos);
  CHECK(run_ynet("help no_such_topic").status == 2);
}

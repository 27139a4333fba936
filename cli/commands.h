#pragma once
// Each subcommand lives in its own cli/<name>.cpp and adds itself to the app here.
// A registration returns nothing; the subcommand's callback sets the process exit status through
// the shared `int& exit_code`: 0 success, 1 an error in the user's input (spec, data, checkpoint, run
// directory), 2 a usage error, 128 + the signal's number when SIGINT or SIGTERM stopped it (130, 143).
#include <CLI/CLI.hpp>

namespace ynet::cli {

void add_check_command(CLI::App& app, int& exit_code);
void add_compile_command(CLI::App& app, int& exit_code);
void add_verify_command(CLI::App& app, int& exit_code);
void add_bench_command(CLI::App& app, int& exit_code);
void add_make_data_command(CLI::App& app, int& exit_code);
void add_stats_command(CLI::App& app, int& exit_code);
void add_train_command(CLI::App& app, int& exit_code);
void add_eval_command(CLI::App& app, int& exit_code);
void add_predict_command(CLI::App& app, int& exit_code);
void add_help_command(CLI::App& app, int& exit_code);


}  // namespace ynet::cli

#include <google/protobuf/stubs/logging.h>

#include <cstdio>
#include <exception>
#include <string>

#include "commands.h"
#include "workers.h"

namespace {

// Protobuf logs a line of its own for a malformed file it parses (a damaged checkpoint or plan:
// "[libprotobuf ERROR ...] String field ... contains invalid UTF-8"); ynet reports the same file
// in its own words, naming it and what to do.
void quiet_protobuf_log(google::protobuf::LogLevel, const char*, int, const std::string&) {}

}  // namespace

int main(int argc, char** argv) {
  google::protobuf::SetLogHandler(quiet_protobuf_log);
  ynet::cli::remember_command_line(argc, argv);
  CLI::App app{"ynet: a model-spec compiler and trainer for large-scale video classification"};
  app.require_subcommand(1);
  app.set_help_all_flag("--help-all", "Show help for every subcommand");
  int exit_code = 0;

  ynet::cli::add_check_command(app, exit_code);
  ynet::cli::add_compile_command(app, exit_code);
  ynet::cli::add_verify_command(app, exit_code);
  ynet::cli::add_bench_command(app, exit_code);
  ynet::cli::add_make_data_command(app, exit_code);
  ynet::cli::add_stats_command(app, exit_code);
  ynet::cli::add_train_command(app, exit_code);
  ynet::cli::add_eval_command(app, exit_code);
  ynet::cli::add_predict_command(app, exit_code);
  ynet::cli::add_help_command(app, exit_code);


  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return 2;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ynet: error: %s\n", e.what());
    return 1;
  }
  return exit_code;
}

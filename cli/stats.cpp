// `ynet stats GLOB... [--classes K]`: label statistics (paper Table 2), the cumulative label plot
// (Figure 5) as SVG, and the label counts the class-balanced loss reads.
#include <fmt/format.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <thread>

#include "cli/commands.h"
#include "runtime/data/data_error.h"
#include "runtime/data/file_glob.h"
#include "runtime/data/label_stats.h"
#include "runtime/data/skip_report.h"
#include "runtime/io/output_file.h"
#include "runtime/report/svg_chart.h"

namespace ynet::cli {
namespace {

// "data/train*.tfrecord" -> "train": names the default output files after the data they describe.
std::string data_stem(const std::string& pattern) {
  std::string name = std::filesystem::path(pattern).filename().string();
  const size_t wildcard = name.find_first_of("*?[");
  name = name.substr(0, wildcard != std::string::npos ? wildcard : name.find('.'));
  while (!name.empty() && std::isalnum(static_cast<unsigned char>(name.back())) == 0) name.pop_back();
  return name.empty() ? "data" : name;
}

// Next to the data when that directory is writable, else in the current directory.
std::string default_output(const std::string& first_file, const std::string& pattern, const std::string& suffix) {
  std::filesystem::path directory = std::filesystem::path(first_file).parent_path();
  if (directory.empty()) directory = ".";
  const std::string name = data_stem(pattern) + suffix;
  if (::access(directory.c_str(), W_OK) == 0) return (directory / name).string();
  return name;
}

report::LineChart cumulative_chart(const data::LabelStats& stats, const data::LabelRanking& ranking) {
  report::LineChart chart;
  chart.title = "Cumulative share of label occurrences (labels by frequency)";
  chart.x_label = "labels, most frequent first";
  chart.y_label = "share of all label occurrences (%)";
  report::Series series;
  series.name = "cumulative %";
  double running = 0.0;
  series.x.push_back(0.0);
  series.y.push_back(0.0);
  for (size_t i = 0; i < ranking.ranked.size(); ++i) {
    running += static_cast<double>(ranking.ranked[i].count);
    series.x.push_back(static_cast<double>(i + 1));
    series.y.push_back(100.0 * running / static_cast<double>(stats.label_occurrences));
  }
  chart.series.push_back(std::move(series));
  chart.y_min = 0.0;
  chart.y_max = 100.0;
  chart.references.push_back({false, 95.0, "95%"});
  chart.references.push_back(
      {true, static_cast<double>(ranking.labels_for_95_percent), fmt::format("{} labels", ranking.labels_for_95_percent)});
  return chart;
}

}  // namespace

void add_stats_command(CLI::App& app, int& exit_code) {
  struct Args {
    std::vector<std::string> patterns;
    data::LabelStatsOptions options;
    std::string plot;
    std::string counts;
    std::string compression = "auto";
    bool no_verify_crc = false;
  };
  auto args = std::make_shared<Args>();
  args->options.threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  CLI::App* cmd = app.add_subcommand("stats", "Label statistics of TFRecord files (paper Table 2 and Figure 5)");
  cmd->add_option("glob", args->patterns, "TFRecord files or globs (quote them), frame- or video-level")->required();
  cmd->add_option("--classes", args->options.num_classes, "Number of classes (default: largest label + 1)");
  cmd->add_option("--id-key", args->options.id_key, "Context feature holding the video id (2017 files: video_id)")
      ->capture_default_str();
  cmd->add_option("--labels-key", args->options.labels_key, "Context feature holding the labels")->capture_default_str();
  cmd->add_option("--plot", args->plot, "Cumulative label plot (SVG); default STEM_labels.svg next to the data");
  cmd->add_option("--counts", args->counts, "Label counts as 'class,count' CSV; default STEM_label_counts.csv next to the data");
  cmd->add_option("--compression", args->compression, "auto, none, gzip or zlib")->capture_default_str();
  cmd->add_option("--threads", args->options.threads, "Files read in parallel")->capture_default_str();
  cmd->add_flag("--no-verify-crc", args->no_verify_crc, "Do not check the data CRC of each record");
  cmd->add_flag("--skip-corrupt", args->options.skip_corrupt, "Skip damaged records (each is reported) instead of stopping");
  cmd->footer(
      "STEM is the file name of the first pattern up to its first wildcard; when the data directory is not\n"
      "writable the files go to the current directory. Exit status: 0 done, 1 unreadable or damaged data,\n"
      "2 a bad option value. Example: ynet stats 'data/train*.tfrecord' --classes 400");
  cmd->callback([args, &exit_code] {
    data::LabelStatsOptions options = args->options;
    options.verify_crc = !args->no_verify_crc;
    const auto compression = data::parse_compression(args->compression);
    if (!compression) {
      std::fprintf(stderr, "ynet stats: error: --compression: '%s' is not auto, none, gzip or zlib\n",
                   args->compression.c_str());
      exit_code = 2;
      return;
    }
    options.compression = *compression;
    if (options.num_classes < 0 || options.threads <= 0) {
      std::fprintf(stderr, "ynet stats: error: %s must be positive\n", options.threads <= 0 ? "--threads" : "--classes");
      exit_code = 2;
      return;
    }
    data::SkipReport skips("data");
    try {
      const std::vector<std::string> files = data::expand_globs(args->patterns);
      const data::LabelStats stats =
          data::compute_label_stats(files, options, [&](const data::DataError& error) { skips.add(error); });
      const data::LabelRanking ranking = data::rank_labels(stats);
      std::fputs(data::format_label_report(stats, ranking).c_str(), stdout);
      const std::string plot = args->plot.empty() ? default_output(files.front(), args->patterns.front(), "_labels.svg")
                                                  : args->plot;
      const std::string counts = args->counts.empty()
                                     ? default_output(files.front(), args->patterns.front(), "_label_counts.csv")
                                     : args->counts;
      if (stats.label_occurrences > 0) {
        report::write_svg(cumulative_chart(stats, ranking), plot);
        std::printf("wrote %s\n", plot.c_str());
      }
      io::write_output(counts, data::format_label_counts_csv(stats));
      std::printf("wrote %s\n", counts.c_str());
      if (skips.records() > 0) std::printf("%s\n", skips.summary().c_str());
      exit_code = 0;
    } catch (const data::DataError& error) {
      std::fprintf(stderr, "ynet stats: error: %s\n", error.what());
      exit_code = 1;
    } catch (const std::runtime_error& error) {
      std::fprintf(stderr, "ynet stats: error: %s\n", error.what());
      exit_code = 1;
    }
  });
}

}  // namespace ynet::cli

// `ynet make-data --out DIR [...]`: write a synthetic YouTube-8M-format dataset.
#include <fmt/format.h>

#include <charconv>
#include <chrono>
#include <cstdio>

#include "cli/commands.h"
#include "runtime/data/data_error.h"
#include "runtime/data/synthetic.h"

namespace ynet::cli {
namespace {

bool parse_int(const std::string& text, int& value) {
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  return status == std::errc() && end == text.data() + text.size();
}

bool parse_frames(const std::string& text, int& low, int& high) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) {
    if (!parse_int(text, low)) return false;
    high = low;
    return true;
  }
  return parse_int(text.substr(0, colon), low) && parse_int(text.substr(colon + 1), high);
}

bool parse_split(const std::string& text, std::array<double, 3>& parts) {
  size_t start = 0;
  for (size_t i = 0; i < 3; ++i) {
    const size_t colon = i < 2 ? text.find(':', start) : text.size();
    if (colon == std::string::npos) return false;
    const std::string item = text.substr(start, colon - start);
    const auto [end, status] = std::from_chars(item.data(), item.data() + item.size(), parts[i]);
    if (status != std::errc() || end != item.data() + item.size()) return false;
    start = colon + 1;
  }
  return true;
}

}  // namespace

void add_make_data_command(CLI::App& app, int& exit_code) {
  struct Args {
    data::SyntheticConfig config;
    std::string frames = "30:120";
    std::string split = "70:20:10";
    std::string level = "frame";
  };
  auto args = std::make_shared<Args>();
  CLI::App* cmd = app.add_subcommand("make-data", "Write a synthetic, learnable YouTube-8M-format dataset");
  cmd->add_option("--out", args->config.out_dir, "Output directory (created if missing)")->required();
  cmd->add_option("--videos", args->config.videos, "Number of videos in all splits")->capture_default_str();
  cmd->add_option("--classes", args->config.classes, "Number of classes")->capture_default_str();
  cmd->add_option("--frames", args->frames, "Frames per video, MIN:MAX (uniform; 1 frame per second)")
      ->capture_default_str();
  cmd->add_option("--shards", args->config.shards, "Files per split")->capture_default_str();
  cmd->add_option("--split", args->split, "Relative sizes train:valid:test")->capture_default_str();
  cmd->add_option("--level", args->level, "frame (SequenceExample, rgb+audio bytes per frame) or video (Example, "
                                          "mean_rgb+mean_audio floats)")
      ->capture_default_str();
  cmd->add_option("--seed", args->config.seed, "Random seed; equal seeds give identical files")->capture_default_str();
  cmd->add_option("--threads", args->config.threads, "Writer threads (0: one per core); the output does not depend on it")
      ->capture_default_str();
  cmd->footer(
      "Writes DIR/train0000.tfrecord ..., valid0000..., test0000... in the YouTube-8M format (context 'id',\n"
      "'labels'; feature lists 'rgb' 1024 and 'audio' 128 uint8 per frame). docs/data.md describes the\n"
      "generative model. Exit status: 0 written, 1 a file could not be written, 2 a bad option value.\n"
      "Example: ynet make-data --out data/ --videos 20000 --classes 400 --seed 7");
  cmd->callback([args, &exit_code] {
    data::SyntheticConfig config = args->config;
    const auto usage = [&](const std::string& message) {
      std::fprintf(stderr, "ynet make-data: error: %s\n", message.c_str());
      exit_code = 2;
    };
    if (!parse_frames(args->frames, config.min_frames, config.max_frames)) {
      return usage(fmt::format("--frames: '{}' is not MIN:MAX", args->frames));
    }
    if (!parse_split(args->split, config.split)) {
      return usage(fmt::format("--split: '{}' is not TRAIN:VALID:TEST", args->split));
    }
    if (args->level == "frame") {
      config.level = data::Level::kFrame;
    } else if (args->level == "video") {
      config.level = data::Level::kVideo;
    } else {
      return usage(fmt::format("--level: '{}' is not frame or video", args->level));
    }
    if (std::string error = config.validate(); !error.empty()) return usage(error);
    const auto start = std::chrono::steady_clock::now();
    data::SyntheticSummary summary;
    try {
      summary = data::generate_synthetic(config);
    } catch (const data::DataError& error) {
      std::fprintf(stderr, "ynet make-data: error: %s\n", error.what());
      exit_code = 1;
      return;
    }
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    uint64_t bytes = 0;
    for (const data::SyntheticFile& file : summary.files) bytes += file.bytes;
    std::printf("wrote %zu files to %s in %.1f s (%.1f MB, %s-level)\n", summary.files.size(), config.out_dir.c_str(),
                seconds, static_cast<double>(bytes) / 1e6, data::to_string(config.level));
    for (size_t s = 0; s < 3; ++s) {
      std::printf("  %-5s %lld videos\n", data::kSplitNames[s], static_cast<long long>(summary.split_videos[s]));
    }
    std::printf("classes: %d (label weights (r/K + 2/4716)^-%.3f * exp(-%.3f r/K) by rank r; %d order classes)\n",
                config.classes,
                summary.label_exponent, summary.label_cutoff, summary.order_classes);
    exit_code = 0;
  });
}

}  // namespace ynet::cli

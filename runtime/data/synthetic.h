#pragma once
// A synthetic YouTube-8M-format dataset that a model can learn and that is shaped like the real
// one (docs/data.md describes the generative model): Zipf-like label frequencies with the paper's
// imbalance, several labels per video, uninformative intro frames, and classes that only the
// order of two events tells apart. The output depends only on the configuration and the seed.
#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/data/record_format.h"

namespace ynet::data {

struct SyntheticConfig {
  std::string out_dir;
  int64_t videos = 20000;
  int classes = 400;
  int min_frames = 30;
  int max_frames = 120;
  int shards = 4;                              // files per split
  std::array<double, 3> split = {70, 20, 10};  // train : valid : test
  Level level = Level::kFrame;
  uint64_t seed = 7;
  int threads = 0;  // 0: one per hardware thread

  // Empty when valid, otherwise what is wrong.
  std::string validate() const;
};

struct SyntheticFile {
  std::string path;
  int64_t videos = 0;
  uint64_t bytes = 0;
};

struct SyntheticSummary {
  std::vector<SyntheticFile> files;
  std::array<int64_t, 3> split_videos = {0, 0, 0};
  double label_exponent = 0.0;
  double label_cutoff = 0.0;
  int order_classes = 0;
};

inline constexpr std::array<const char*, 3> kSplitNames = {"train", "valid", "test"};
inline constexpr int kRgbSize = 1024;
inline constexpr int kAudioSize = 128;

// Writes the shards into config.out_dir (created if missing). Throws DataError when a file cannot
// be written; the configuration must be valid.
SyntheticSummary generate_synthetic(const SyntheticConfig& config);

// The video id of video `index` (a YouTube-8M-style string of 4 or more letters and digits,
// distinct for distinct indices below `total`).
std::string synthetic_video_id(uint64_t index, uint64_t total, uint64_t seed);

// True when class `label` is one of the order classes: pairs (c, c + 1) whose videos show the same
// two events, in the order A then B for c and B then A for c + 1.
bool is_order_class(int label, int classes);

}  // namespace ynet::data

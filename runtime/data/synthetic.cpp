#include "runtime/data/synthetic.h"

#include <fmt/format.h>
#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <system_error>
#include <thread>

#include "runtime/data/data_error.h"
#include "runtime/data/label_distribution.h"
#include "runtime/data/proto/example.pb.h"
#include "runtime/data/random.h"
#include "runtime/data/record_writer.h"
#include "runtime/data/video_decoder.h"

namespace ynet::data {
namespace {

constexpr int kFrameBytes = kRgbSize + kAudioSize;
// A pattern nudges a few feature dimensions up or down; a class shows its pattern in its scenes.
constexpr int kPatternRgbDims = 32;
constexpr int kPatternAudioDims = 8;
constexpr int kPatternDims = kPatternRgbDims + kPatternAudioDims;
constexpr int kSignalAmplitude = 28;  // in quantisation steps (noise sd is 24)
constexpr double kNoiseSd = 24.0;
constexpr size_t kNoisePoolBytes = size_t{1} << 20;
constexpr double kMeanExtraLabels = 1.9;  // labels per video: 1 + Poisson(1.9), mean 2.9 like YouTube-8M
constexpr int kMaxLabels = 12;
constexpr int kIntroMin = 10;
constexpr int kIntroMax = 20;
constexpr int kSceneMin = 6;
constexpr int kSceneMax = 12;
constexpr int kOrderPeriod = 20;  // classes 20k+6 and 20k+7 form an order pair
constexpr int kOrderFirst = 6;

constexpr uint64_t kModelStream = 0x6d6f64656c;
constexpr uint64_t kVideoStream = 0x766964656f;
constexpr uint64_t kIdStream = 0x6964;

struct Pattern {
  std::array<uint16_t, kPatternDims> dims{};
  std::array<int16_t, kPatternDims> deltas{};
};

Pattern random_pattern(Rng& rng) {
  Pattern pattern;
  for (int i = 0; i < kPatternDims; ++i) {
    const bool rgb = i < kPatternRgbDims;
    for (;;) {
      const auto dim = static_cast<uint16_t>(rgb ? rng.below(kRgbSize) : kRgbSize + rng.below(kAudioSize));
      if (std::find(pattern.dims.begin(), pattern.dims.begin() + i, dim) == pattern.dims.begin() + i) {
        pattern.dims[static_cast<size_t>(i)] = dim;
        break;
      }
    }
    pattern.deltas[static_cast<size_t>(i)] = static_cast<int16_t>(rng.below(2) == 0 ? -kSignalAmplitude : kSignalAmplitude);
  }
  return pattern;
}

void apply(const Pattern& pattern, uint8_t* frame) {
  for (int i = 0; i < kPatternDims; ++i) {
    const int value = frame[pattern.dims[static_cast<size_t>(i)]] + pattern.deltas[static_cast<size_t>(i)];
    frame[pattern.dims[static_cast<size_t>(i)]] = static_cast<uint8_t>(std::clamp(value, 0, 255));
  }
}

class GenerativeModel {
 public:
  GenerativeModel(const SyntheticConfig& config) : config_(config), labels_(fit_label_distribution(config.classes)) {
    Rng rng(mix_seed(config.seed, kModelStream));
    for (int c = 0; c < config.classes; ++c) class_patterns_.push_back(random_pattern(rng));
    for (int pair = 0; pair * kOrderPeriod + kOrderFirst + 1 < config.classes; ++pair) {
      event_patterns_.push_back(random_pattern(rng));
      event_patterns_.push_back(random_pattern(rng));
    }
    noise_.resize(kNoisePoolBytes + kFrameBytes);
    for (size_t i = 0; i < noise_.size(); i += 2) {
      // Box-Muller: two normal deviates per draw.
      const double radius = std::sqrt(-2.0 * std::log(1.0 - rng.uniform()));
      const double angle = 2.0 * M_PI * rng.uniform();
      noise_[i] = quantize(radius * std::cos(angle));
      if (i + 1 < noise_.size()) noise_[i + 1] = quantize(radius * std::sin(angle));
    }
  }

  const LabelDistribution& labels() const { return labels_; }
  int order_classes() const { return static_cast<int>(event_patterns_.size()); }

  // Frames (n * kFrameBytes quantised bytes: rgb then audio) and sorted labels of video `index`.
  void generate(uint64_t index, std::vector<uint8_t>& frames, int& frame_count, std::vector<int64_t>& labels) const {
    Rng rng(mix_seed(config_.seed, index, kVideoStream));
    frame_count = config_.min_frames + static_cast<int>(rng.below(static_cast<uint64_t>(config_.max_frames - config_.min_frames + 1)));
    draw_labels(rng, labels);
    std::vector<int64_t> scenes = labels;
    rng.shuffle(scenes.data(), scenes.size());
    const int intro = std::min(frame_count / 3, kIntroMin + static_cast<int>(rng.below(kIntroMax - kIntroMin + 1)));
    const auto distractor = static_cast<size_t>(rng.below(static_cast<uint64_t>(config_.classes)));
    const int scene_length = kSceneMin + static_cast<int>(rng.below(kSceneMax - kSceneMin + 1));
    frames.resize(static_cast<size_t>(frame_count) * kFrameBytes);
    for (int t = 0; t < frame_count; ++t) {
      uint8_t* frame = frames.data() + static_cast<size_t>(t) * kFrameBytes;
      std::memcpy(frame, noise_.data() + rng.below(kNoisePoolBytes), kFrameBytes);
      if (t < intro) {
        // Intro frames show an unrelated class: they carry no information about the labels.
        apply(class_patterns_[distractor], frame);
        continue;
      }
      const int content = t - intro;
      const auto label = static_cast<int>(scenes[static_cast<size_t>(content / scene_length) % scenes.size()]);
      if (is_order_class(label, config_.classes)) {
        const int first_of_pair = label - (label % kOrderPeriod - kOrderFirst);
        const size_t event_a = static_cast<size_t>(first_of_pair / kOrderPeriod) * 2;
        const bool first_half = content % scene_length < scene_length / 2;
        const bool a_first = label == first_of_pair;
        apply(event_patterns_[first_half == a_first ? event_a : event_a + 1], frame);
      } else {
        apply(class_patterns_[static_cast<size_t>(label)], frame);
      }
    }
  }

 private:
  static uint8_t quantize(double normal) {
    return static_cast<uint8_t>(std::clamp(std::lround(128.0 + kNoiseSd * normal), 0L, 255L));
  }

  void draw_labels(Rng& rng, std::vector<int64_t>& labels) const {
    const int wanted = std::min({1 + rng.poisson(kMeanExtraLabels), kMaxLabels, config_.classes});
    labels.clear();
    // Duplicates are redrawn; the attempt bound only matters for tiny class counts.
    for (int attempt = 0; attempt < 64 * kMaxLabels && static_cast<int>(labels.size()) < wanted; ++attempt) {
      const double u = rng.uniform();
      const auto label = static_cast<int64_t>(
          std::upper_bound(labels_.cumulative.begin(), labels_.cumulative.end(), u) - labels_.cumulative.begin());
      const int64_t clamped = std::min<int64_t>(label, config_.classes - 1);
      if (std::find(labels.begin(), labels.end(), clamped) == labels.end()) labels.push_back(clamped);
    }
    std::sort(labels.begin(), labels.end());
  }

  const SyntheticConfig& config_;
  LabelDistribution labels_;
  std::vector<Pattern> class_patterns_;
  std::vector<Pattern> event_patterns_;
  std::vector<uint8_t> noise_;
};

void serialize_deterministic(const google::protobuf::MessageLite& message, std::string& out) {
  out.clear();
  google::protobuf::io::StringOutputStream stream(&out);
  google::protobuf::io::CodedOutputStream coded(&stream);
  // Map entries are otherwise written in hash order, which would make the files differ run to run.
  coded.SetSerializationDeterministic(true);
  message.SerializeToCodedStream(&coded);
}

struct ShardJob {
  int split = 0;
  int shard = 0;
  uint64_t first = 0;  // global index of the first video
  uint64_t count = 0;
  std::string path;
};

void write_shard(const SyntheticConfig& config, const GenerativeModel& model, const ShardJob& job, uint64_t total,
                 SyntheticFile& result) {
  RecordWriter writer(job.path);
  std::vector<uint8_t> frames;
  std::vector<int64_t> labels;
  std::string serialized;
  const float scale = dequantize_scale(-2.0f, 2.0f);
  const float bias = dequantize_bias(-2.0f, 2.0f);
  for (uint64_t i = 0; i < job.count; ++i) {
    const uint64_t index = job.first + i;
    int frame_count = 0;
    model.generate(index, frames, frame_count, labels);
    const std::string id = synthetic_video_id(index, total, config.seed);
    tfexample::Features* context;
    tfexample::SequenceExample sequence;
    tfexample::Example example;
    context = config.level == Level::kFrame ? sequence.mutable_context() : example.mutable_features();
    (*context->mutable_feature())["id"].mutable_bytes_list()->add_value(id);
    auto* label_list = (*context->mutable_feature())["labels"].mutable_int64_list();
    for (const int64_t label : labels) label_list->add_value(label);
    if (config.level == Level::kFrame) {
      auto& lists = *sequence.mutable_feature_lists()->mutable_feature_list();
      auto& rgb = lists["rgb"];
      auto& audio = lists["audio"];
      for (int t = 0; t < frame_count; ++t) {
        const auto* frame = reinterpret_cast<const char*>(frames.data()) + static_cast<size_t>(t) * kFrameBytes;
        rgb.add_feature()->mutable_bytes_list()->add_value(frame, kRgbSize);
        audio.add_feature()->mutable_bytes_list()->add_value(frame + kRgbSize, kAudioSize);
      }
      serialize_deterministic(sequence, serialized);
    } else {
      // Video-level features are the mean of the dequantised frames, as in YouTube-8M.
      std::array<uint64_t, kFrameBytes> sums{};
      for (int t = 0; t < frame_count; ++t) {
        const uint8_t* frame = frames.data() + static_cast<size_t>(t) * kFrameBytes;
        for (int d = 0; d < kFrameBytes; ++d) sums[static_cast<size_t>(d)] += frame[d];
      }
      auto* mean_rgb = (*context->mutable_feature())["mean_rgb"].mutable_float_list();
      auto* mean_audio = (*context->mutable_feature())["mean_audio"].mutable_float_list();
      for (int d = 0; d < kFrameBytes; ++d) {
        const float mean = static_cast<float>(static_cast<double>(sums[static_cast<size_t>(d)]) / frame_count);
        (d < kRgbSize ? mean_rgb : mean_audio)->add_value(mean * scale + bias);
      }
      serialize_deterministic(example, serialized);
    }
    writer.write(serialized);
    result.bytes += serialized.size() + 16;
  }
  writer.close();
  result.path = job.path;
  result.videos = static_cast<int64_t>(job.count);
}

}  // namespace

bool is_order_class(int label, int classes) {
  const int phase = label % kOrderPeriod;
  if (phase == kOrderFirst) return label + 1 < classes;
  return phase == kOrderFirst + 1;
}

std::string synthetic_video_id(uint64_t index, uint64_t total, uint64_t seed) {
  static constexpr char kAlphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  constexpr uint64_t kBase = 62;
  int digits = 4;
  unsigned __int128 modulus = kBase * kBase * kBase * kBase;
  while (modulus < total && digits < 12) {
    modulus *= kBase;
    ++digits;
  }
  // An affine map with a multiplier coprime to 62 (odd, not a multiple of 31) is a bijection
  // modulo 62^digits: distinct indices get distinct, scattered ids.
  constexpr uint64_t kMultiplier = 0x9e3779b97f4a7c15ull;
  const uint64_t offset = splitmix64(seed ^ kIdStream);
  unsigned __int128 value = (static_cast<unsigned __int128>(index) * kMultiplier + offset) % modulus;
  std::string id(static_cast<size_t>(digits), '0');
  for (int i = digits - 1; i >= 0; --i) {
    id[static_cast<size_t>(i)] = kAlphabet[static_cast<size_t>(value % kBase)];
    value /= kBase;
  }
  return id;
}

std::string SyntheticConfig::validate() const {
  if (out_dir.empty()) return "no output directory given";
  if (videos <= 0) return fmt::format("--videos must be positive (got {})", videos);
  if (classes <= 0 || classes > 1000000) return fmt::format("--classes must be in 1..1000000 (got {})", classes);
  if (min_frames <= 0 || max_frames < min_frames || max_frames > 100000) {
    return fmt::format("--frames must be MIN:MAX with 1 <= MIN <= MAX <= 100000 (got {}:{})", min_frames, max_frames);
  }
  if (shards <= 0 || shards > 100000) return fmt::format("--shards must be in 1..100000 (got {})", shards);
  double total = 0.0;
  for (const double part : split) {
    if (!(part >= 0.0) || !std::isfinite(part)) return "--split parts must be non-negative numbers";
    total += part;
  }
  if (!(total > 0.0)) return "--split must have a positive part";
  if (threads < 0) return fmt::format("--threads must not be negative (got {})", threads);
  return {};
}

SyntheticSummary generate_synthetic(const SyntheticConfig& config) {
  std::error_code error;
  std::filesystem::create_directories(config.out_dir, error);
  if (error) {
    throw DataError(DataErrorKind::kUnreadable, config.out_dir, DataError::kNoOffset, DataError::kNoRecord, "",
                    "cannot create directory: " + error.message());
  }
  const GenerativeModel model(config);
  SyntheticSummary summary;
  summary.label_exponent = model.labels().exponent;
  summary.label_cutoff = model.labels().cutoff;
  summary.order_classes = model.order_classes();

  const double total_parts = config.split[0] + config.split[1] + config.split[2];
  const auto total = static_cast<uint64_t>(config.videos);
  uint64_t assigned = 0;
  for (size_t s = 0; s < 3; ++s) {
    const uint64_t count = s == 2 ? total - assigned
                                  : std::min<uint64_t>(total - assigned, static_cast<uint64_t>(std::llround(
                                                                              config.split[s] / total_parts * total)));
    summary.split_videos[s] = static_cast<int64_t>(count);
    assigned += count;
  }
  std::vector<ShardJob> jobs;
  uint64_t first = 0;
  for (int s = 0; s < 3; ++s) {
    const auto count = static_cast<uint64_t>(summary.split_videos[static_cast<size_t>(s)]);
    const uint64_t shards = std::min<uint64_t>(static_cast<uint64_t>(config.shards), count);
    for (uint64_t k = 0; k < shards; ++k) {
      ShardJob job;
      job.split = s;
      job.shard = static_cast<int>(k);
      job.first = first + k * count / shards;
      job.count = (k + 1) * count / shards - k * count / shards;
      job.path = (std::filesystem::path(config.out_dir) / fmt::format("{}{:04d}.tfrecord", kSplitNames[static_cast<size_t>(s)], k)).string();
      jobs.push_back(job);
    }
    first += count;
  }

  summary.files.resize(jobs.size());
  std::atomic<size_t> next_job{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const auto work = [&] {
    for (size_t j = next_job++; j < jobs.size(); j = next_job++) {
      try {
        write_shard(config, model, jobs[j], total, summary.files[j]);
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
      }
    }
  };
  const unsigned hardware = std::max(1u, std::thread::hardware_concurrency());
  const size_t thread_count = std::min<size_t>(jobs.size(), config.threads > 0 ? static_cast<size_t>(config.threads) : hardware);
  std::vector<std::thread> threads;
  for (size_t t = 1; t < thread_count; ++t) threads.emplace_back(work);
  work();
  for (std::thread& thread : threads) thread.join();
  if (failure) std::rethrow_exception(failure);
  return summary;
}

}  // namespace ynet::data

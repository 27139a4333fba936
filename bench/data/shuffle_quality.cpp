// How well the training data are shuffled: batch composition and reading speed of the Dataset's
// shuffles (ShuffleMode::kPermutation, ShuffleMode::kWindow, and file order) on real files,
// beside a uniform permutation drawn here, independently of the Dataset's code. See
// bench/data/README.md.
#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "runtime/data/dataset.h"
#include "runtime/data/file_glob.h"

using namespace ynet::data;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  std::string data;
  std::vector<FeatureSpec> features;
  std::string id_key = "id";
  int classes = 0;
  int max_frames = 300;
  bool video_level = false;
  int batch = 128;
  int buffer = 1024;
  int epochs = 1;
  int threads = 1;
  int repeat = 3;
  uint64_t seed = 7;
};

// What the Dataset has: every record in storage order (sorted file names, file order).
struct Records {
  std::vector<std::vector<int32_t>> labels;
  std::vector<uint32_t> file;
  std::vector<double> share;  // p_c: occurrences of class c per record
  size_t files = 0;
};

DatasetConfig base_config(const Options& o, const std::vector<std::string>& files) {
  DatasetConfig config;
  config.files = files;
  config.format.features = o.features;
  config.format.id_key = o.id_key;
  config.format.num_classes = o.classes;
  config.format.max_frames = o.max_frames;
  config.format.level = o.video_level ? Level::kVideo : Level::kFrame;
  // Frames as stored: a quarter of the floats, for the passes that only follow labels.
  if (!o.video_level) config.format.frame_values = FrameValues::kStoredBytes;
  config.batch_size = o.batch;
  config.shuffle_buffer = o.buffer;
  config.seed = o.seed;
  config.epochs = o.epochs;
  config.threads = o.threads;
  config.prefetch = 4;
  config.drop_remainder = true;
  return config;
}

Records read_storage_order(const Options& o, std::unordered_map<std::string, uint32_t>& where) {
  Records r;
  const std::vector<std::string> files = expand_globs({o.data});
  r.files = files.size();
  for (uint32_t f = 0; f < files.size(); ++f) {
    DatasetConfig config = base_config(o, {files[f]});
    config.epochs = 1;
    config.drop_remainder = false;
    Dataset dataset(config);
    Batch batch;
    while (dataset.next(batch)) {
      for (int b = 0; b < batch.count; ++b) {
        const auto [it, fresh] = where.emplace(batch.video_ids[static_cast<size_t>(b)], static_cast<uint32_t>(r.labels.size()));
        if (!fresh) {
          fmt::print(stderr, "video id '{}' occurs twice: ids must be distinct to follow records\n", it->first);
          std::exit(1);
        }
        const auto labels = batch.labels_of(b);
        r.labels.emplace_back(labels.begin(), labels.end());
        r.file.push_back(f);
      }
    }
  }
  r.share.assign(static_cast<size_t>(o.classes), 0.0);
  for (const auto& labels : r.labels)
    for (const int32_t c : labels) r.share[static_cast<size_t>(c)] += 1.0;
  for (double& s : r.share) s /= static_cast<double>(r.labels.size());
  return r;
}

struct Quality {
  double chi2 = 0;          // mean over batches of sum_c (n_c - B p_c)^2 / (B p_c)
  double correlation = 0;   // mean over consecutive batches of corr_c(n_c - B p_c, n'_c - B p_c)
  double files = 0;         // mean distinct files per batch
  double neighbour = 0;     // mean |stream position of record i - that of i+1| / N, first epoch
  double seconds = 0;       // reading and decoding, Dataset only
  double setup_seconds = 0; // constructing the Dataset (the index scan), Dataset only
  double records = 0;
};

// `order`: storage indices in stream order, whole batches.
Quality measure(const Records& r, const std::vector<uint32_t>& order, int batch) {
  Quality q;
  const size_t classes = r.share.size();
  const size_t batches = order.size() / static_cast<size_t>(batch);
  std::vector<double> previous(classes), current(classes);
  double correlations = 0;
  for (size_t k = 0; k < batches; ++k) {
    std::fill(current.begin(), current.end(), 0.0);
    std::set<uint32_t> files;
    for (size_t i = k * batch; i < (k + 1) * batch; ++i) {
      for (const int32_t c : r.labels[order[i]]) current[static_cast<size_t>(c)] += 1.0;
      files.insert(r.file[order[i]]);
    }
    q.files += static_cast<double>(files.size());
    double chi2 = 0;
    for (size_t c = 0; c < classes; ++c) {
      const double expected = batch * r.share[c];
      current[c] -= expected;
      if (expected > 0) chi2 += current[c] * current[c] / expected;
    }
    q.chi2 += chi2;
    if (k > 0) {
      double sa = 0, sb = 0, saa = 0, sbb = 0, sab = 0;
      for (size_t c = 0; c < classes; ++c) {
        sa += previous[c];
        sb += current[c];
        saa += previous[c] * previous[c];
        sbb += current[c] * current[c];
        sab += previous[c] * current[c];
      }
      const double n = static_cast<double>(classes);
      const double cov = sab - sa * sb / n, va = saa - sa * sa / n, vb = sbb - sb * sb / n;
      if (va > 0 && vb > 0) correlations += cov / std::sqrt(va * vb);
    }
    std::swap(previous, current);
  }
  q.chi2 /= static_cast<double>(batches);
  q.correlation = batches > 1 ? correlations / static_cast<double>(batches - 1) : 0;
  q.files /= static_cast<double>(batches);
  const size_t n = r.labels.size();
  std::vector<int64_t> position(n, -1);
  for (size_t i = 0; i < std::min(n, order.size()); ++i) position[order[i]] = static_cast<int64_t>(i);
  double distance = 0;
  size_t pairs = 0;
  for (size_t i = 0; i + 1 < n; ++i) {
    if (position[i] < 0 || position[i + 1] < 0 || r.file[i] != r.file[i + 1]) continue;
    distance += static_cast<double>(std::llabs(position[i] - position[i + 1]));
    ++pairs;
  }
  q.neighbour = pairs > 0 ? distance / static_cast<double>(pairs) / static_cast<double>(n) : 0;
  q.records = static_cast<double>(order.size());
  return q;
}

Quality dataset_order(const Options& o, const Records& r, const std::unordered_map<std::string, uint32_t>& where,
                      bool shuffle, ShuffleMode mode, ShuffleMode& used) {
  DatasetConfig config = base_config(o, {o.data});
  config.shuffle = shuffle;
  config.shuffle_mode = mode;
  config.format.frame_values = FrameValues::kDequantized;  // what a training plan reads
  const auto start = Clock::now();
  Dataset dataset(config);
  const auto built = Clock::now();
  used = dataset.shuffle_mode();
  std::vector<uint32_t> order;
  Batch batch;
  while (dataset.next(batch)) {
    for (int b = 0; b < batch.count; ++b) order.push_back(where.at(batch.video_ids[static_cast<size_t>(b)]));
  }
  const auto end = Clock::now();
  Quality q = measure(r, order, o.batch);
  q.setup_seconds = std::chrono::duration<double>(built - start).count();
  q.seconds = std::chrono::duration<double>(end - built).count();
  return q;
}

std::vector<FeatureSpec> parse_features(const std::string& text) {
  std::vector<FeatureSpec> out;
  size_t begin = 0;
  while (begin < text.size()) {
    size_t end = text.find(',', begin);
    if (end == std::string::npos) end = text.size();
    const std::string item = text.substr(begin, end - begin);
    const size_t colon = item.find(':');
    if (colon == std::string::npos) return {};
    out.push_back({item.substr(0, colon), std::atoi(item.c_str() + colon + 1)});
    begin = end + 1;
  }
  return out;
}

void usage() {
  std::fprintf(stderr,
               "usage: bench_data_shuffle --data GLOB --features NAME:SIZE[,NAME:SIZE] --classes K [--id-key id]\n"
               "                          [--max-frames 300] [--level frame|video] [--batch 128] [--buffer 1024]\n"
               "                          [--epochs 1] [--seed 7]"
               " [--threads 1] [--repeat 3]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage();
    const char* value = argv[++i];
    if (flag == "--data") o.data = value;
    else if (flag == "--features") o.features = parse_features(value);
    else if (flag == "--id-key") o.id_key = value;
    else if (flag == "--classes") o.classes = std::atoi(value);
    else if (flag == "--max-frames") o.max_frames = std::atoi(value);
    else if (flag == "--level") o.video_level = std::string(value) == "video";
    else if (flag == "--batch") o.batch = std::atoi(value);
    else if (flag == "--buffer") o.buffer = std::atoi(value);
    else if (flag == "--epochs") o.epochs = std::atoi(value);
    else if (flag == "--seed") o.seed = std::strtoull(value, nullptr, 10);
    else if (flag == "--threads") o.threads = std::atoi(value);
    else if (flag == "--repeat") o.repeat = std::atoi(value);
    else usage();
  }
  if (o.data.empty() || o.features.empty() || o.classes <= 0 || o.batch <= 0 || o.buffer <= 0 || o.epochs <= 0 || o.repeat <= 0) usage();

  std::unordered_map<std::string, uint32_t> where;
  const Records r = read_storage_order(o, where);
  const size_t n = r.labels.size();
  fmt::print("{} records in {} files, {} classes; batch {}, buffer {}, {} epoch(s), seed {}\n", n, r.files, o.classes,
             o.batch, o.buffer, o.epochs, o.seed);

  // A uniform permutation per epoch drawn here (std::mt19937_64), batches across epochs.
  std::vector<uint32_t> ideal;
  std::mt19937_64 engine(o.seed);
  for (int e = 0; e < o.epochs; ++e) {
    std::vector<uint32_t> epoch(n);
    for (uint32_t i = 0; i < n; ++i) epoch[i] = i;
    std::shuffle(epoch.begin(), epoch.end(), engine);
    ideal.insert(ideal.end(), epoch.begin(), epoch.end());
  }
  ideal.resize(ideal.size() / static_cast<size_t>(o.batch) * static_cast<size_t>(o.batch));
  const Quality reference = measure(r, ideal, o.batch);

  fmt::print("\n{:<34} {:>9} {:>9} {:>12} {:>11} {:>10} {:>12} {:>9}\n", "order", "chi2/batch", "x uniform",
             "corr(next)", "files/batch", "neighbour", "records/s", "setup s");
  auto row = [&](const std::string& name, const Quality& q, bool timed) {
    fmt::print("{:<34} {:>9.1f} {:>9.2f} {:>12.4f} {:>11.2f} {:>10.3f} {:>12} {:>9}\n", name, q.chi2,
               q.chi2 / reference.chi2, q.correlation, q.files, q.neighbour,
               timed ? fmt::format("{:.0f}", q.records / q.seconds) : std::string("-"),
               timed ? fmt::format("{:.3f}", q.setup_seconds) : std::string("-"));
  };
  row("uniform permutation (reference)", reference, false);
  // Each order is read `repeat` times, the orders taking turns, and its fastest pass is kept: the
  // first pass over fresh buffers pays for page faults the later ones do not.
  struct Mode {
    std::string name;
    bool shuffle;
    ShuffleMode mode;
    Quality best;
  };
  std::vector<Mode> modes = {{"ynet: permutation", true, ShuffleMode::kPermutation, {}},
                             {fmt::format("ynet: window of {}", o.buffer), true, ShuffleMode::kWindow, {}},
                             {"ynet: file order (no shuffle)", false, ShuffleMode::kWindow, {}}};
  bool fell_back = false;
  for (int pass = 0; pass < o.repeat; ++pass) {
    for (Mode& m : modes) {
      ShuffleMode used;
      const Quality q = dataset_order(o, r, where, m.shuffle, m.mode, used);
      fell_back = fell_back || (m.shuffle && used != m.mode);
      if (pass == 0 || q.records / q.seconds > m.best.records / m.best.seconds) m.best = q;
    }
  }
  for (const Mode& m : modes) row(m.name, m.best, true);
  if (fell_back) fmt::print("  (compressed files: the dataset fell back to the window)\n");
  fmt::print(
      "\nchi2/batch: sum over classes of (n_c - B p_c)^2 / (B p_c), n_c the class's labels in the batch, p_c its labels\n"
      "per record in the data; x uniform: that over the reference's. corr(next): correlation over classes of the\n"
      "deviations n_c - B p_c of consecutive batches (0 when independent). neighbour: mean distance in the stream\n"
      "of records stored next to each other, in records / N (1/3 for a uniform permutation). records/s: reading,\n"
      "CRC and decoding into floats with {} decoding thread(s), the fastest of {} passes; setup: making the\n"
      "Dataset (the index scan).\n",
      o.threads, o.repeat);
  return 0;
}

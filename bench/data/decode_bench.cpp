// Decoding throughput on realistic frame-level records (300 frames of rgb 1024 + audio 128 uint8,
// about 350 KB each): per core (the decoder alone), across threads (independent decoders), and
// end to end through Dataset (file reading, CRC checks, batching) with 1..N decoding threads.
#include <fmt/format.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "runtime/data/crc32c.h"
#include "runtime/data/dataset.h"
#include "runtime/data/proto/example.pb.h"
#include "runtime/data/random.h"
#include "runtime/data/record_writer.h"
#include "runtime/data/video_decoder.h"

using namespace ynet::data;
using Clock = std::chrono::steady_clock;

namespace {

struct Options {
  int videos = 64;
  int frames = 300;
  int max_frames = 0;  // 0: every frame
  int skip_frames = 0;
  double seconds = 2.0;
  int max_threads = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  std::string dir = std::filesystem::temp_directory_path().string();
};

std::vector<std::string> make_records(const Options& options) {
  std::vector<std::string> records;
  Rng rng(42);
  for (int v = 0; v < options.videos; ++v) {
    ynet::tfexample::SequenceExample example;
    auto& context = *example.mutable_context()->mutable_feature();
    context["id"].mutable_bytes_list()->add_value(fmt::format("B{:03d}", v));
    for (int l = 0; l < 3; ++l) context["labels"].mutable_int64_list()->add_value(static_cast<int64_t>(rng.below(3862)));
    auto& lists = *example.mutable_feature_lists()->mutable_feature_list();
    for (const auto& [name, size] : {std::pair<const char*, int>{"rgb", 1024}, {"audio", 128}}) {
      auto& list = lists[name];
      std::string frame(static_cast<size_t>(size), '\0');
      for (int t = 0; t < options.frames; ++t) {
        for (size_t i = 0; i < frame.size(); i += 8) {
          const uint64_t bits = rng.next();
          std::memcpy(frame.data() + i, &bits, std::min<size_t>(8, frame.size() - i));
        }
        list.add_feature()->mutable_bytes_list()->add_value(frame);
      }
    }
    records.push_back(example.SerializeAsString());
  }
  return records;
}

// Frames kept per video: the first max_frames after skipping skip_frames (0: every frame).
RecordFormat bench_format(int frames, int max_frames, int skip_frames) {
  RecordFormat format;
  format.max_frames = max_frames > 0 ? max_frames : frames;
  format.skip_frames = skip_frames;
  return format;
}

// Decodes the records round-robin for about `seconds`; returns (bytes, videos, elapsed seconds).
struct Throughput {
  double bytes = 0;
  double videos = 0;
  double seconds = 0;
  double mb_per_s() const { return bytes / seconds / 1e6; }
  double videos_per_s() const { return videos / seconds; }
};

Throughput decode_loop(const std::vector<std::string>& records, const RecordFormat& format, double seconds, size_t start) {
  VideoDecoder decoder(format);
  std::vector<float> features(static_cast<size_t>(format.time_steps()) * format.feature_dim());
  std::vector<int32_t> labels;
  std::string id;
  Throughput result;
  const auto begin = Clock::now();
  for (size_t i = start;; ++i) {
    const std::string& record = records[i % records.size()];
    labels.clear();
    decoder.decode(record, features.data(), labels, id);
    result.bytes += static_cast<double>(record.size());
    result.videos += 1;
    if ((i & 7) == 0) {
      result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
      if (result.seconds >= seconds) return result;
    }
  }
}

Throughput parallel_decode(const std::vector<std::string>& records, const RecordFormat& format, double seconds, int threads) {
  std::vector<Throughput> results(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] { results[static_cast<size_t>(t)] = decode_loop(records, format, seconds, static_cast<size_t>(t) * 7); });
  }
  for (std::thread& worker : workers) worker.join();
  Throughput total;
  for (const Throughput& r : results) {
    total.bytes += r.bytes;
    total.videos += r.videos;
    total.seconds = std::max(total.seconds, r.seconds);
  }
  return total;
}

// Reads the file over and over (epochs = 0) after a warm-up that sizes every buffer, so that the
// figure is the steady state a long training run sees.
Throughput dataset_pass(const std::string& path, const RecordFormat& format, int threads, double seconds,
                        double record_bytes) {
  DatasetConfig config;
  config.files = {path};
  config.format = format;
  config.batch_size = 32;
  config.threads = threads;
  config.prefetch = 2 * threads;
  config.epochs = 0;
  Dataset dataset(config);
  Batch batch;
  for (int warm = 0; warm < 4 * (config.prefetch + threads); ++warm) dataset.next(batch);
  Throughput result;
  const auto begin = Clock::now();
  while (result.seconds < seconds) {
    dataset.next(batch);
    result.videos += batch.count;
    result.seconds = std::chrono::duration<double>(Clock::now() - begin).count();
  }
  result.bytes = result.videos * record_bytes;
  return result;
}

void usage() {
  std::fprintf(stderr,
               "usage: bench_data_decode [--videos N] [--frames T] [--max-frames M] [--skip-frames S] [--seconds S]\n"
               "                         [--max-threads N] [--dir DIR]\n");
  std::exit(2);
}

}  // namespace

int main(int argc, char** argv) {
  Options options;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage();
    const char* value = argv[++i];
    if (flag == "--videos") options.videos = std::atoi(value);
    else if (flag == "--frames") options.frames = std::atoi(value);
    else if (flag == "--max-frames") options.max_frames = std::atoi(value);
    else if (flag == "--skip-frames") options.skip_frames = std::atoi(value);
    else if (flag == "--seconds") options.seconds = std::atof(value);
    else if (flag == "--max-threads") options.max_threads = std::atoi(value);
    else if (flag == "--dir") options.dir = value;
    else usage();
  }
  if (options.videos <= 0 || options.frames <= 0 || options.seconds <= 0 || options.max_threads <= 0 ||
      options.max_frames < 0 || options.skip_frames < 0)
    usage();

  const std::vector<std::string> records = make_records(options);
  double total_bytes = 0;
  for (const std::string& record : records) total_bytes += static_cast<double>(record.size());
  fmt::print("records: {} videos x {} frames (rgb 1024 + audio 128 uint8), {:.0f} KB each; CRC32C hardware: {}\n",
             options.videos, options.frames, total_bytes / options.videos / 1e3, crc32c_uses_hardware() ? "yes" : "no");

  {
    const auto begin = Clock::now();
    double bytes = 0;
    uint32_t sink = 0;
    while (std::chrono::duration<double>(Clock::now() - begin).count() < options.seconds / 2) {
      for (const std::string& record : records) sink ^= crc32c(record.data(), record.size());
      bytes += total_bytes;
    }
    fmt::print("crc32c: {:.0f} MB/s (checksum {:08x})\n",
               bytes / std::chrono::duration<double>(Clock::now() - begin).count() / 1e6, sink);
  }

  const RecordFormat format = bench_format(options.frames, options.max_frames, options.skip_frames);
  fmt::print("\ndecoder alone (parse, dequantize {} frames from frame {} into floats), independent decoders per thread:\n",
             format.max_frames, format.skip_frames);
  fmt::print("  {:>7}  {:>10}  {:>10}  {:>14}\n", "threads", "MB/s", "videos/s", "MB/s per core");
  for (int threads = 1; threads <= options.max_threads; threads *= 2) {
    const Throughput t = parallel_decode(records, format, options.seconds, threads);
    fmt::print("  {:>7}  {:>10.0f}  {:>10.0f}  {:>14.0f}\n", threads, t.mb_per_s(), t.videos_per_s(), t.mb_per_s() / threads);
  }

  const std::string path = (std::filesystem::path(options.dir) / "ynet_bench_data.tfrecord").string();
  size_t file_bytes = 0;
  {
    RecordWriter writer(path);
    for (int repeat = 0; repeat < 4; ++repeat) {
      for (const std::string& record : records) {
        writer.write(record);
        file_bytes += record.size() + 16;
      }
    }
    writer.close();
  }
  fmt::print("\nDataset end to end ({:.0f} MB file read repeatedly from the page cache, CRC checked, batch 32, max_frames {}):\n",
             static_cast<double>(file_bytes) / 1e6, format.max_frames);
  fmt::print("  {:>7}  {:>10}  {:>10}\n", "threads", "MB/s", "videos/s");
  for (int threads = 1; threads <= options.max_threads; threads *= 2) {
    const Throughput t = dataset_pass(path, format, threads, options.seconds,
                                      static_cast<double>(file_bytes) / (4.0 * options.videos));
    fmt::print("  {:>7}  {:>10.0f}  {:>10.0f}\n", threads, t.mb_per_s(), t.videos_per_s());
  }
  std::filesystem::remove(path);
  return 0;
}

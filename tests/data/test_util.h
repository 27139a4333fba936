#pragma once
// Helpers shared by the data tests: temporary directories, file bytes, hand-built records.
#include <fmt/format.h>
#include <stdlib.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "runtime/data/proto/example.pb.h"
#include "runtime/data/record_writer.h"

namespace ynet::data::testing {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "ynet-data-test-XXXXXX").string();
    path_ = ::mkdtemp(pattern.data());
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::string file(const std::string& name) const { return (std::filesystem::path(path_) / name).string(); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

inline std::string read_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_bytes(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary);
  out << bytes;
}

inline std::string source_path(const std::string& relative) { return std::string(YNET_SOURCE_DIR) + "/" + relative; }

// A frame-level record: frame t of feature f holds bytes (t * 7 + f * 13 + i) % 256 at position i.
struct VideoSpec {
  std::string id = "Ab3x";
  std::vector<int64_t> labels = {1, 5};
  int frames = 4;
  std::vector<std::pair<std::string, int>> features = {{"rgb", 8}, {"audio", 4}};
  std::string id_key = "id";
};

inline uint8_t frame_byte(int t, int f, int i) { return static_cast<uint8_t>((t * 7 + f * 13 + i) % 256); }

inline tfexample::SequenceExample make_sequence_example(const VideoSpec& spec) {
  tfexample::SequenceExample example;
  auto& context = *example.mutable_context()->mutable_feature();
  context[spec.id_key].mutable_bytes_list()->add_value(spec.id);
  for (const int64_t label : spec.labels) context["labels"].mutable_int64_list()->add_value(label);
  auto& lists = *example.mutable_feature_lists()->mutable_feature_list();
  for (size_t f = 0; f < spec.features.size(); ++f) {
    auto& list = lists[spec.features[f].first];
    for (int t = 0; t < spec.frames; ++t) {
      std::string bytes(static_cast<size_t>(spec.features[f].second), '\0');
      for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(frame_byte(t, static_cast<int>(f), static_cast<int>(i)));
      list.add_feature()->mutable_bytes_list()->add_value(bytes);
    }
  }
  return example;
}

inline std::string make_record(const VideoSpec& spec) { return make_sequence_example(spec).SerializeAsString(); }

inline void write_records(const std::string& path, const std::vector<std::string>& records) {
  RecordWriter writer(path);
  for (const std::string& record : records) writer.write(record);
  writer.close();
}

// Videos "v0", "v1", ... with label i % 7 and 1 + i % 5 frames, spread over `files` files.
inline std::vector<std::string> write_numbered_dataset(const TempDir& dir, int videos, int files) {
  std::vector<std::string> paths;
  std::vector<std::vector<std::string>> records(static_cast<size_t>(files));
  for (int i = 0; i < videos; ++i) {
    VideoSpec spec;
    spec.id = fmt::format("v{}", i);
    spec.labels = {i % 7};
    spec.frames = 1 + i % 5;
    records[static_cast<size_t>(i % files)].push_back(make_record(spec));
  }
  for (int f = 0; f < files; ++f) {
    paths.push_back(dir.file(fmt::format("part{:03d}.tfrecord", f)));
    write_records(paths.back(), records[static_cast<size_t>(f)]);
  }
  return paths;
}

}  // namespace ynet::data::testing

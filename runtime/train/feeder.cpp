#include "runtime/train/feeder.h"

#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

namespace ynet::train {

data::DatasetConfig dataset_config(const plan::Plan& plan, const std::string& globs) {
  const plan::PlanMeta& m = plan.meta;
  data::DatasetConfig c;
  c.files = {globs};
  c.format.level = m.level == "video" ? data::Level::kVideo : data::Level::kFrame;
  c.format.features.clear();
  for (const plan::Feature& f : m.features) c.format.features.push_back({f.name, static_cast<int>(f.size)});
  c.format.id_key = m.id_key;
  c.format.labels_key = m.labels_key;
  c.format.num_classes = static_cast<int>(m.classes);
  c.format.max_frames = static_cast<int>(m.max_frames);
  c.format.skip_frames = static_cast<int>(m.skip_frames);
  c.format.normalize = data::Normalize::kNone;
  // A plan pooling the stored bytes (compiler::pool_stored_frames) is fed them undequantized.
  const int frames = plan.graph.find_value("input.features");
  if (frames >= 0 && plan.graph.value(frames).dtype == ir::DType::U8)
    c.format.frame_values = data::FrameValues::kStoredBytes;
  c.batch_size = static_cast<int>(m.batch);
  c.seed = static_cast<uint64_t>(m.seed);
  return c;
}

BatchFeeder::BatchFeeder(const plan::Plan& plan) : inputs_(find_inputs(plan)) {
  batch_ = plan.meta.batch;
  classes_ = plan.meta.classes;
  if (inputs_.features >= 0) {
    const ir::Value& v = plan.graph.value(inputs_.features);
    frames_ = v.shape.size() == 3 ? v.shape[1] : 1;
    features_ = v.shape.back();
    stored_bytes_ = v.dtype == ir::DType::U8;
  }
  labels_buffer_.resize(static_cast<size_t>(batch_ * classes_));
  lengths_buffer_.resize(static_cast<size_t>(batch_));
}

void BatchFeeder::write(const data::Batch& batch, runtime::Backend& backend) {
  if (batch.capacity != batch_ || batch.time_steps != frames_ || batch.feature_dim != features_)
    throw std::invalid_argument(fmt::format("a batch of {}x{}x{} does not fit the plan's {}x{}x{}", batch.capacity,
                                            batch.time_steps, batch.feature_dim, batch_, frames_, features_));
  if (inputs_.features >= 0 && stored_bytes_ == batch.frame_bytes.empty())
    throw std::invalid_argument(fmt::format("the plan reads frames as {}, the batch holds {}",
                                            stored_bytes_ ? "stored bytes" : "floats", stored_bytes_ ? "floats" : "bytes"));
  std::fill(labels_buffer_.begin(), labels_buffer_.end(), 0.0f);
  for (int b = 0; b < batch.count; ++b) {
    lengths_buffer_[static_cast<size_t>(b)] = batch.lengths[static_cast<size_t>(b)];
    for (int32_t label : batch.labels_of(b))
      labels_buffer_[static_cast<size_t>(b * classes_ + label)] = 1.0f;
  }
  for (int64_t b = batch.count; b < batch_; ++b) lengths_buffer_[static_cast<size_t>(b)] = 1;
  // The rows past batch.count are zeros already (data::Batch). The frame bytes are lent, not
  // copied, where the backend can read them in place: 177 MB a batch for BoF_4096.
  if (inputs_.features >= 0 && stored_bytes_)
    backend.lend(inputs_.features, std::span<const uint8_t>(batch.frame_bytes));
  else if (inputs_.features >= 0)
    backend.write(inputs_.features, std::span<const float>(batch.features));
  if (inputs_.lengths >= 0) backend.write(inputs_.lengths, std::span<const int32_t>(lengths_buffer_));
  if (inputs_.labels >= 0) backend.write(inputs_.labels, std::span<const float>(labels_buffer_));
}

}  // namespace ynet::train

#include "runtime/data/dataset_config.h"

#include <fmt/format.h>

#include <cstdint>
#include <stdexcept>

namespace ynet::data {

const char* to_string(ShardBy shard_by) {
  switch (shard_by) {
    case ShardBy::kAuto: return "auto";
    case ShardBy::kFile: return "file";
    case ShardBy::kRecord: return "record";
  }
  return "auto";
}

const char* to_string(ShuffleMode mode) {
  switch (mode) {
    case ShuffleMode::kPermutation: return "permutation";
    case ShuffleMode::kWindow: return "window";
  }
  return "permutation";
}

int slice_batch_size(int global_batch, int count) {
  if (count <= 0) throw std::invalid_argument(fmt::format("the number of batch slices must be positive (got {})", count));
  if (global_batch <= 0 || global_batch % count != 0)
    throw std::invalid_argument(fmt::format("a global batch of {} rows does not divide evenly among {} processes; give a "
                                            "batch that is a multiple of {}", global_batch, count, count));
  return global_batch / count;
}

std::string DatasetConfig::validate() const {
  if (std::string error = format.validate(); !error.empty()) return error;
  if (files.empty()) return "no data files given";
  if (batch_size <= 0) return fmt::format("batch size must be positive (got {})", batch_size);
  const size_t batch_floats = static_cast<size_t>(batch_size) * format.time_steps() * format.feature_dim();
  if (batch_floats > (size_t{1} << 33)) return fmt::format("a batch would hold {} floats (more than 32 GiB)", batch_floats);
  if (shuffle && shuffle_buffer <= 0) return fmt::format("shuffle buffer must be positive (got {})", shuffle_buffer);
  if (epochs < 0) return fmt::format("epochs must be 0 (forever) or positive (got {})", epochs);
  if (world_size <= 0) return fmt::format("world size must be positive (got {})", world_size);
  if (rank < 0 || rank >= world_size) return fmt::format("rank {} is not in [0, {})", rank, world_size);
  if (slicing.count <= 0) return fmt::format("batch slices must be positive (got {})", slicing.count);
  if (slicing.index < 0 || slicing.index >= slicing.count)
    return fmt::format("batch slice {} is not in [0, {})", slicing.index, slicing.count);
  if (slicing.count > 1) {
    if (world_size != 1) return "batch slicing and sharding exclude each other (world size must be 1 when slicing)";
    if (!drop_remainder) return "batch slicing needs drop_remainder: a global batch the data cannot fill has no slices";
    if (static_cast<int64_t>(batch_size) * slicing.count > INT32_MAX)
      return fmt::format("a global batch of {} x {} rows is too large", batch_size, slicing.count);
  }
  if (threads <= 0 || threads > 256) return fmt::format("threads must be in 1..256 (got {})", threads);
  if (prefetch <= 0 || prefetch > 1024) return fmt::format("prefetch must be in 1..1024 (got {})", prefetch);
  return {};
}

}  // namespace ynet::data

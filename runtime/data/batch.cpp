#include "runtime/data/batch.h"

namespace ynet::data {

void Batch::reshape(int rows, int steps, int dim, bool stored_bytes) {
  capacity = rows;
  time_steps = steps;
  feature_dim = dim;
  const size_t values = static_cast<size_t>(rows) * steps * dim;
  if (stored_bytes) {
    features = {};
    frame_bytes.resize(values);
  } else {
    frame_bytes = {};
    features.resize(values);
  }
  lengths.resize(static_cast<size_t>(rows));
  label_offsets.resize(static_cast<size_t>(rows) + 1);
  video_ids.resize(static_cast<size_t>(rows));
  // Several labels per video on average; reserving avoids regrowth in the first batches.
  if (labels.capacity() < static_cast<size_t>(rows) * 8) labels.reserve(static_cast<size_t>(rows) * 8);
}

}  // namespace ynet::data

#include "runtime/data/batch.h"

namespace ynet::data {

void Batch::reshape(int rows, int steps, int dim) {
  capacity = rows;
  time_steps = steps;
  feature_dim = dim;
  features.resize(static_cast<size_t>(rows) * steps * dim);
  lengths.resize(static_cast<size_t>(rows));
  label_offsets.resize(static_cast<size_t>(rows) + 1);
  video_ids.resize(static_cast<size_t>(rows));
  // Several labels per video on average; reserving avoids regrowth in the first batches.
  if (labels.capacity() < static_cast<size_t>(rows) * 8) labels.reserve(static_cast<size_t>(rows) * 8);
}

}  // namespace ynet::data

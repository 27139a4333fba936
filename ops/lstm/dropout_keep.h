#pragma once
// Fills the keep buffer an LSTM stack takes ([layers, B, T, H], lstm_shape.h) for one training step
// from the counter-based Philox generator: the buffer is one dropout tensor for the key, so every
// backend and every thread count drops exactly the same units. A process holding a slice of a
// data-parallel batch draws, for each layer, its rows' part of the global [layers, G, T, H] tensor:
// layer_first_element says where.
#include <cstdint>

#include "ops/support/batch_collectives.h"
#include "ops/support/philox.h"

namespace ynet::ops::lstm {

// keep[e] for e < count is element first_element + e of the tensor the key draws for.
template <class T>
void fill_dropout_keep(const dropout::philox::MaskKey& key, double rate, uint64_t first_element, int64_t count,
                       T* keep) {
  const std::uint32_t threshold = dropout::philox::drop_threshold(rate);
  const T scale = static_cast<T>(1.0 / (1.0 - rate));
  for (int64_t e = 0; e < count; ++e) {
    const std::uint64_t element = first_element + static_cast<std::uint64_t>(e);
    // One Philox block holds the random words of four consecutive elements.
    const dropout::philox::Block block = dropout::philox::mask_block(key, element / 4);
    keep[e] = block.word[element % 4] >= threshold ? scale : T(0);
  }
}

// Where layer l's [B, T, H] part of this process's keep buffer starts in the global batch's
// [layers, G, T, H] tensor (G = B outside data parallelism).
inline uint64_t layer_first_element(const runtime::BatchSlice& slice, int64_t layer, int64_t batch, int64_t time,
                                    int64_t hidden) {
  const int64_t row_elements = time * hidden;
  return static_cast<uint64_t>(layer * slice.global_rows(batch) * row_elements + slice.first_element(row_elements));
}

}  // namespace ynet::ops::lstm

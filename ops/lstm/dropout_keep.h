#pragma once
// Fills the keep buffer an LSTM stack takes ([layers, B, T, H], lstm_shape.h) for one training step
// from the counter-based Philox generator: the buffer is one dropout tensor for the key, so every
// backend and every thread count drops exactly the same units.
#include <cstdint>

#include "ops/support/philox.h"

namespace ynet::ops::lstm {

template <class T>
void fill_dropout_keep(const dropout::philox::MaskKey& key, double rate, int64_t count, T* keep) {
  const std::uint32_t threshold = dropout::philox::drop_threshold(rate);
  const T scale = static_cast<T>(1.0 / (1.0 - rate));
  // One Philox block holds the random words of four consecutive elements.
  for (int64_t group = 0; group * 4 < count; ++group) {
    const dropout::philox::Block block = dropout::philox::mask_block(key, static_cast<std::uint64_t>(group));
    for (int64_t lane = 0; lane < 4 && group * 4 + lane < count; ++lane) {
      keep[group * 4 + lane] = block.word[lane] >= threshold ? scale : T(0);
    }
  }
}

}  // namespace ynet::ops::lstm

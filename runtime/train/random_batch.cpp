#include "runtime/train/random_batch.h"

#include <cmath>

#include "runtime/train/initialize.h"

namespace ynet::train {

PlanInputs find_inputs(const plan::Plan& plan) {
  return {plan.graph.find_value("input.features"), plan.graph.find_value("input.lengths"),
          plan.graph.find_value("input.labels")};
}

void write_random_batch(const plan::Plan& plan, uint64_t seed, runtime::Backend& backend) {
  const PlanInputs in = find_inputs(plan);
  const int64_t batch = plan.meta.batch;
  if (in.features >= 0) {
    const ir::Value& v = plan.graph.value(in.features);
    std::vector<float> x(static_cast<size_t>(v.elements()));
    for (size_t i = 0; i < x.size(); ++i) x[i] = static_cast<float>(4.0 * uniform01(seed, 1, i) - 2.0);
    if (in.lengths >= 0) {
      const int64_t T = v.shape[1], F = v.shape[2];
      std::vector<int32_t> lengths(static_cast<size_t>(batch));
      for (int64_t b = 0; b < batch; ++b) {
        int64_t len = 1 + static_cast<int64_t>(uniform01(seed, 2, static_cast<uint64_t>(b)) * static_cast<double>(T));
        if (b == 0) len = T;
        if (b == 1) len = 1;
        lengths[static_cast<size_t>(b)] = static_cast<int32_t>(std::min(len, T));
        // Padded frames hold exact zeros, as the data pipeline writes them.
        for (int64_t t = len; t < T; ++t)
          for (int64_t f = 0; f < F; ++f) x[static_cast<size_t>((b * T + t) * F + f)] = 0.0f;
      }
      backend.write(in.lengths, std::span<const int32_t>(lengths));
    }
    if (v.dtype == ir::DType::U8) {
      // Frames held as their stored bytes (an inference plan that dequantizes as it pools): the
      // same draw, as bytes over [-2, 2]; padded frames stay zero bytes.
      std::vector<uint8_t> bytes(x.size());
      for (size_t i = 0; i < x.size(); ++i)
        bytes[i] = x[i] == 0.0f ? 0 : static_cast<uint8_t>(std::lround((x[i] + 2.0f) / 4.0f * 255.0f));
      backend.write(in.features, std::span<const uint8_t>(bytes));
    } else {
      backend.write(in.features, std::span<const float>(x));
    }
  }
  if (in.labels >= 0) {
    const ir::Value& v = plan.graph.value(in.labels);
    const int64_t classes = v.shape[1];
    std::vector<float> labels(static_cast<size_t>(v.elements()), 0.0f);
    for (int64_t b = 0; b < batch; ++b)
      for (int k = 0; k < 3; ++k) {
        const auto c = static_cast<int64_t>(uniform01(seed, 3, static_cast<uint64_t>(b * 3 + k)) * static_cast<double>(classes));
        labels[static_cast<size_t>(b * classes + std::min(c, classes - 1))] = 1.0f;
      }
    backend.write(in.labels, std::span<const float>(labels));
  }
}

}  // namespace ynet::train

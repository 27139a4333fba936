// The L2 weight-decay loss term (l2_penalty.h) bound to the CUDA backend; its operands are read in
// operands.h. The device tables give each weight its first chunk: the chunks of all weights are
// numbered in input order, as on the host, so their partial sums are added in that order.
#include <vector>

#include "ops/logistic/cuda.h"
#include "ops/logistic/operands.h"
#include "ops/support/cuda/device_buffers.h"
#include "ops/support/cuda/step_table.h"

namespace ynet::ops::logistic {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["L2Penalty"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const PenaltyOperands o(n, b);
    std::vector<runtime::cuda::SquaresEntry> weights;
    int64_t chunks = 0;
    for (const auto& w : o.weights) {
      weights.push_back({w.data, w.count, chunks});
      chunks += runtime::cuda::squares_chunks(w.count);
    }
    const int count = static_cast<int>(weights.size());
    const runtime::cuda::Scratch entries = b.upload(weights);
    const runtime::cuda::Scratch partials = b.transient({static_cast<size_t>(chunks) * sizeof(double)})[0];
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::penalty(entries.as<const runtime::cuda::SquaresEntry>(), count, chunks, o.l2, partials.as<double>(),
                    o.penalty, stream);
    });
  };
  table["L2Penalty.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const PenaltyGradOperands o(n, b);
    std::vector<cuda::GradientEntry> terms;
    int64_t chunks = 0;
    for (const auto& t : o.terms) {
      terms.push_back({t.weights, t.gradient, t.count, chunks});
      chunks += runtime::cuda::squares_chunks(t.count);
    }
    const int count = static_cast<int>(terms.size());
    const runtime::cuda::Scratch entries = b.upload(terms);
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::penalty_gradient(entries.as<const cuda::GradientEntry>(), count, chunks, o.l2, o.dpenalty, stream);
    });
  };
}

}  // namespace ynet::ops::logistic

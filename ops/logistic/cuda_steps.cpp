// The L2 weight-decay loss term (l2_penalty.h) bound to the CUDA backend: "L2Penalty" reads the
// weights and writes l2 * sum(w^2) / 2; "L2Penalty.grad" writes dpenalty * l2 * w into each
// weight's gradient. Operands as on the host backends (steps.cpp).
#include <fmt/format.h>

#include <stdexcept>
#include <vector>

#include "ops/support/cuda/device_buffers.h"
#include "ops/support/step_support.h"
#include "ops/support/cuda/step_table.h"
#include "ops/logistic/cuda.h"

namespace ynet::ops::logistic {

void add_cuda_steps(runtime::cuda::StepTable& table) {
  table["L2Penalty"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const double l2 = ir::attr_double(n.attrs, "l2", 0.0);
    std::vector<runtime::cuda::SquaresEntry> weights;
    int64_t chunks = 0;
    for (int v : n.inputs) {
      if (v < 0) throw std::invalid_argument("L2Penalty reads every weight it penalises");
      weights.push_back({b.f(v), b.elements(v), chunks});
      chunks += runtime::cuda::squares_chunks(b.elements(v));
    }
    const int count = static_cast<int>(weights.size());
    const runtime::cuda::Scratch entries = b.upload(weights);
    const runtime::cuda::Scratch partials = b.transient({static_cast<size_t>(chunks) * sizeof(double)})[0];
    float* penalty = b.f(n.outputs.at(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::penalty(entries.as<const runtime::cuda::SquaresEntry>(), count, chunks, l2, partials.as<double>(), penalty,
                    stream);
    });
  };
  table["L2Penalty.grad"] = [](const ir::Node& n, runtime::cuda::DeviceBuffers& b) {
    const runtime::GradOperands g(n);
    const double l2 = ir::attr_double(n.attrs, "l2", 0.0);
    std::vector<cuda::GradientEntry> terms;
    int64_t chunks = 0;
    for (size_t i = 0; i < n.outputs.size(); ++i) {
      if (g.input_grad(i) < 0) continue;
      if (g.forward_input(i) < 0)
        throw std::invalid_argument(
            fmt::format("L2Penalty.grad does not read weight {} (buffer '{}'), whose gradient it must write", i,
                        b.value(g.input_grad(i)).name));
      const int64_t count = b.elements(g.forward_input(i));
      terms.push_back({b.f(g.forward_input(i)), b.f(g.input_grad(i)), count, chunks});
      chunks += runtime::cuda::squares_chunks(count);
    }
    const int count = static_cast<int>(terms.size());
    const runtime::cuda::Scratch entries = b.upload(terms);
    const float* dpenalty = b.f(g.output_grad(0));
    cudaStream_t stream = b.stream();
    return runtime::make_step([=](const runtime::StepContext&) {
      cuda::penalty_gradient(entries.as<const cuda::GradientEntry>(), count, chunks, l2, dpenalty, stream);
    });
  };
}

}  // namespace ynet::ops::logistic

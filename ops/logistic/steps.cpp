// The L2 weight-decay loss term (l2_penalty.h) bound to the host backends; its operands are read in
// operands.h. There is no separate kernel: both steps are one pass over the weights, written here
// once for the reference (double) and the CPU (float) element types.
#include <algorithm>
#include <memory>
#include <vector>

#include "ops/logistic/operands.h"
#include "ops/op.h"

namespace ynet::ops::logistic {
namespace {

// Sums of squares are formed over fixed chunks, one thread per chunk, then added in chunk order,
// so the penalty is bit-identical for any thread count.
constexpr int64_t kChunk = 16384;

template <class T>
runtime::StepFactory<T> penalty_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const PenaltyOperands o(n, b);
    int64_t chunks = 0;
    for (const auto& w : o.weights) chunks += (w.count + kChunk - 1) / kChunk;
    auto partial = std::make_shared<std::vector<double>>(static_cast<size_t>(chunks));
    return runtime::make_step([o, partial](const runtime::StepContext&) {
      double* sums = partial->data();
      int64_t first_chunk = 0;
      for (const auto& w : o.weights) {
        const int64_t tensor_chunks = (w.count + kChunk - 1) / kChunk;
#pragma omp parallel for schedule(static)
        for (int64_t c = 0; c < tensor_chunks; ++c) {
          double sum = 0;
          const int64_t end = std::min(w.count, (c + 1) * kChunk);
          for (int64_t i = c * kChunk; i < end; ++i) sum += static_cast<double>(w.data[i]) * w.data[i];
          sums[first_chunk + c] = sum;
        }
        first_chunk += tensor_chunks;
      }
      double total = 0;
      for (int64_t c = 0; c < first_chunk; ++c) total += sums[c];
      *o.penalty = static_cast<T>(o.l2 * total / 2);
    });
  };
}

template <class T>
runtime::StepFactory<T> penalty_grad_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const PenaltyGradOperands o(n, b);
    return runtime::make_step([o](const runtime::StepContext&) {
      const T scale = static_cast<T>(o.l2 * static_cast<double>(*o.dpenalty));
      for (const auto& term : o.terms) {
        const T* data = term.weights;
        T* grad = term.gradient;
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < term.count; ++i) grad[i] = scale * data[i];
      }
    });
  };
}

}  // namespace

void add_reference_steps(runtime::StepTable<double>& table) {
  table["L2Penalty"] = penalty_factory<double>();
  table["L2Penalty.grad"] = penalty_grad_factory<double>();
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  table["L2Penalty"] = penalty_factory<float>();
  table["L2Penalty.grad"] = penalty_grad_factory<float>();
}

}  // namespace ynet::ops::logistic

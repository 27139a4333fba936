// The L2 weight-decay loss term (l2_penalty.h) bound to the host backends: "L2Penalty" reads the
// weights and writes l2 * sum(w^2) / 2; "L2Penalty.grad" writes dpenalty * l2 * w into each weight's
// gradient. There is no separate kernel: both are one pass over the weights, written here once for
// the reference (double) and the CPU (float) element types.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <vector>

#include "runtime/backend/step_support.h"
#include "runtime/backend/step_tables.h"

namespace ynet::ops::logistic {
namespace {

// Sums of squares are formed over fixed chunks, one thread per chunk, then added in chunk order,
// so the penalty is bit-identical for any thread count.
constexpr int64_t kChunk = 16384;

template <class T>
struct Tensor {
  T* data;
  int64_t count;
};

template <class T>
runtime::StepFactory<T> penalty_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const double l2 = ir::attr_double(n.attrs, "l2", 0.0);
    std::vector<Tensor<const T>> weights;
    int64_t chunks = 0;
    for (int v : n.inputs) {
      if (v < 0) throw std::invalid_argument("L2Penalty reads every weight it penalises");
      weights.push_back({b.f(v), b.elements(v)});
      chunks += (b.elements(v) + kChunk - 1) / kChunk;
    }
    T* penalty = b.f(n.outputs.at(0));
    auto partial = std::make_shared<std::vector<double>>(static_cast<size_t>(chunks));
    return runtime::make_step([l2, weights, partial, penalty](const runtime::StepContext&) {
      double* sums = partial->data();
      int64_t first_chunk = 0;
      for (const Tensor<const T>& w : weights) {
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
      *penalty = static_cast<T>(l2 * total / 2);
    });
  };
}

template <class T>
runtime::StepFactory<T> penalty_grad_factory() {
  return [](const ir::Node& n, runtime::Buffers<T>& b) {
    const runtime::GradOperands g(n);
    const double l2 = ir::attr_double(n.attrs, "l2", 0.0);
    const size_t count = n.outputs.size();
    // (weight, gradient) pairs for the weights that need one.
    std::vector<std::pair<Tensor<const T>, T*>> terms;
    for (size_t i = 0; i < count; ++i) {
      if (g.input_grad(i) < 0) continue;
      if (g.forward_input(i) < 0)
        throw std::invalid_argument(
            fmt::format("L2Penalty.grad does not read weight {} (buffer '{}'), whose gradient it must write", i,
                        b.value(g.input_grad(i)).name));
      terms.push_back({{b.f(g.forward_input(i)), b.elements(g.forward_input(i))}, b.f(g.input_grad(i))});
    }
    const T* dpenalty = b.f(g.output_grad(0));
    return runtime::make_step([l2, terms, dpenalty](const runtime::StepContext&) {
      const T scale = static_cast<T>(l2 * static_cast<double>(*dpenalty));
      for (const auto& [w, dw] : terms) {
        const T* data = w.data;
        T* grad = dw;
        const int64_t count = w.count;  // clang 14 cannot capture a structured binding into an OpenMP region
#pragma omp parallel for schedule(static)
        for (int64_t i = 0; i < count; ++i) grad[i] = scale * data[i];
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

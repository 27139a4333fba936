#pragma once
// What an op implements for a backend: each op folder registers, per backend, a factory that turns
// a plan step into a BoundStep (kernel objects and buffer pointers resolved once). Running it does
// no allocation and no primitive creation.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

#include "ops/support/batch_collectives.h"
#include "ops/support/buffers.h"
#include "plan/graph.h"

namespace ynet::runtime {

// What changes from one training step to the next.
struct StepContext {
  StepContext() = default;
  StepContext(int64_t step_, double learning_rate_, uint64_t seed_, BatchSlice slice_ = {})
      : step(step_), learning_rate(learning_rate_), seed(seed_), slice(slice_) {}

  int64_t step = 0;           // global step: keys the dropout masks and the gating noise
  double learning_rate = 0;   // after the schedule
  uint64_t seed = 0;          // the run's seed
  BatchSlice slice;           // data parallelism: this process's rows of the global batch
};

// A plan this backend cannot run. Raised at bind time, never in the middle of training; names the
// step (index, op, layer) or says how much memory was asked for.
struct BindError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class BoundStep {
 public:
  virtual ~BoundStep() = default;
  virtual void run(const StepContext& ctx) = 0;
};

// A BoundStep from a lambda, for steps whose state fits in a capture.
template <class F>
class LambdaStep final : public BoundStep {
 public:
  explicit LambdaStep(F f) : f_(std::move(f)) {}
  void run(const StepContext& ctx) override { f_(ctx); }

 private:
  F f_;
};
template <class F>
std::unique_ptr<BoundStep> make_step(F f) {
  return std::make_unique<LambdaStep<F>>(std::move(f));
}

template <class T>
using StepFactory = std::function<std::unique_ptr<BoundStep>(const ir::Node& node, Buffers<T>& buffers)>;
template <class T>
using StepTable = std::map<std::string, StepFactory<T>>;

}  // namespace ynet::runtime

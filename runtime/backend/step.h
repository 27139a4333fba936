#pragma once
// How a backend binds one plan step: each op folder registers, per backend, a factory that turns a
// step into a BoundStep (kernel objects and buffer pointers resolved once). Running it does no
// allocation and no primitive creation.
#include <functional>
#include <map>
#include <memory>
#include <string>

#include "runtime/backend/backend.h"
#include "runtime/backend/buffers.h"

namespace ynet::runtime {

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

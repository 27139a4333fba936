#pragma once
// What every backend does the same way with a plan: bind each step through its step table (op name
// -> factory, generated from ops/all_ops.h), keep the bound steps per phase in plan order, run
// them, and check a buffer copy against the plan. The host backends (arena_backend.h) and the CUDA
// backend differ only in their buffers and tables.
#include <fmt/format.h>

#include <array>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/op.h"
#include "plan/plan.h"

namespace ynet::runtime {

template <class Buffers, class Table>
class BoundPlan {
 public:
  void clear() {
    for (auto& phase : steps_) phase.clear();
    for (auto& phase : node_of_step_) phase.clear();
  }

  // Binds every step; a step the table lacks, or a factory that fails, is a BindError naming the
  // step's index, op and layer.
  void bind(const plan::Plan& plan, const Table& table, Buffers& buffers, const std::string& backend) {
    clear();
    for (size_t i = 0; i < plan.graph.nodes.size(); ++i) {
      const ir::Node& node = plan.graph.nodes[i];
      auto it = table.find(node.op);
      if (it == table.end())
        throw BindError(fmt::format("step {} ({}, layer '{}'): the {} backend has no kernel for this op", i, node.op,
                                    node.layer, backend));
      try {
        steps_[static_cast<size_t>(node.phase)].push_back(it->second(node, buffers));
        node_of_step_[static_cast<size_t>(node.phase)].push_back(static_cast<int>(i));
      } catch (const BindError&) {
        throw;
      } catch (const std::exception& e) {
        throw BindError(fmt::format("step {} ({}, layer '{}'): {}", i, node.op, node.layer, e.what()));
      }
    }
  }

  void run(ir::Phase phase, const StepContext& ctx) {
    for (auto& step : steps_[static_cast<size_t>(phase)]) step->run(ctx);
  }
  std::span<const int> steps_of(ir::Phase phase) const { return node_of_step_[static_cast<size_t>(phase)]; }
  void run_step(ir::Phase phase, size_t position, const StepContext& ctx) {
    steps_[static_cast<size_t>(phase)].at(position)->run(ctx);
  }

 private:
  std::array<std::vector<std::unique_ptr<BoundStep>>, 5> steps_;
  std::array<std::vector<int>, 5> node_of_step_;
};

// Throws unless `value` is a buffer of the bound plan with `size` elements of `dtype` and a place in
// the arena: the check of every copy between host memory and a backend's buffers.
inline void check_buffer_copy(const plan::Plan* plan, int value, size_t size, ir::DType dtype) {
  if (!plan || value < 0 || value >= static_cast<int>(plan->graph.values.size()))
    throw std::out_of_range(fmt::format("no buffer {} in the bound plan", value));
  const ir::Value& v = plan->graph.value(value);
  if (v.dtype != dtype || static_cast<int64_t>(size) != v.elements())
    throw std::invalid_argument(
        fmt::format("buffer '{}' holds {} {} elements, not {}", v.name, v.elements(), ir::to_string(v.dtype), size));
  if (plan->memory.offset.at(static_cast<size_t>(value)) < 0)
    throw std::invalid_argument(fmt::format("buffer '{}' has no place in the arena", v.name));
}

}  // namespace ynet::runtime

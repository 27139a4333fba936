#pragma once
// Reading a step's operands the way docs/plan.md lays them out, for the operand structs in
// ops/<op>/operands.h.
#include <memory>
#include <stdexcept>
#include <vector>
#include <string>

#include "ops/op.h"

namespace ynet::runtime {

// The operands of a backward step "<op>.grad": forward inputs, forward outputs, gradients of the
// forward outputs (inputs of the step), gradients of the forward inputs (outputs of the step).
// Each is a buffer id, -1 when absent.
struct GradOperands {
  explicit GradOperands(const ir::Node& node)
      : node_(node),
        inputs_(static_cast<size_t>(ir::attr_int(node.attrs, "forward_inputs", 0))),
        outputs_(static_cast<size_t>(ir::attr_int(node.attrs, "forward_outputs", 0))) {
    if (node.inputs.size() != inputs_ + 2 * outputs_ || node.outputs.size() != inputs_)
      throw std::invalid_argument("malformed gradient step " + node.op);
  }
  int forward_input(size_t i) const { return node_.inputs.at(i); }
  int forward_output(size_t j) const { return node_.inputs.at(inputs_ + j); }
  int output_grad(size_t j) const { return node_.inputs.at(inputs_ + outputs_ + j); }
  int input_grad(size_t i) const { return node_.outputs.at(i); }

 private:
  const ir::Node& node_;
  size_t inputs_, outputs_;
};

// Where a backward step writes the gradient of its first input when nothing upstream needs it
// (dx == nullptr) but its kernel writes it anyway: `elements` values of scratch memory, which dx is
// pointed at and which the step keeps alive by holding the returned pointer (nullptr when dx is a
// plan buffer already).
template <class T>
std::shared_ptr<std::vector<T>> scratch_if_absent(T*& dx, int64_t elements) {
  if (dx) return nullptr;
  auto scratch = std::make_shared<std::vector<T>>(static_cast<size_t>(elements));
  dx = scratch->data();
  return scratch;
}

// A key for state shared by the forward and backward steps of one layer.
inline std::string layer_key(const ir::Node& node) {
  const std::string op = node.op.substr(0, node.op.find('.'));
  return op + "@" + node.layer;
}

}  // namespace ynet::runtime

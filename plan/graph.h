#pragma once
// The graph IR: values (tensors with concrete shapes) and nodes (steps) in execution order.
// Lowering builds the forward graph from a checked model; passes (autodiff, pruning, fusion, memory
// planning) rewrite it; the final graph, with its memory layout, is the plan a backend runs.
#include <cstdint>
#include <map>
#include <string>
#include <variant>
#include <vector>

namespace ynet::ir {

// U8: frames kept as their stored bytes (an inference plan's input, see passes/quantize.h).
enum class DType { F32, I32, U8 };

// Why a buffer exists decides where it lives: persistent kinds survive across steps for the whole run,
// transient kinds are placed in the reusable part of the arena by the memory planner.
enum class BufferKind {
  Input,           // a batch tensor the data pipeline fills (features, lengths, labels)
  Param,           // a trainable parameter
  ParamGrad,       // the gradient of a parameter (transient; consumed by the optimizer step)
  OptimizerState,  // RMSProp mean square, Adam moments, momentum
  ModelState,      // non-trainable state kept in checkpoints (BatchNorm moving statistics)
  Activation,      // forward values
  Gradient,        // gradients of activations
  Saved,           // values a forward step keeps for its backward step (gates, statistics, masks)
  Scalar,          // losses and norms
};

enum class Phase { Prologue, Forward, Loss, Backward, Optimizer };

using AttrValue = std::variant<int64_t, double, bool, std::string, std::vector<int64_t>, std::vector<double>>;
using Attrs = std::map<std::string, AttrValue>;

struct Value {
  int id = -1;
  std::string name;
  std::vector<int64_t> shape;
  DType dtype = DType::F32;
  BufferKind kind = BufferKind::Activation;

  int64_t elements() const;
  int64_t bytes() const;
  bool persistent() const;
};

struct Node {
  std::string op;           // registry op name, or a derived step name such as "Dense.grad"
  Phase phase = Phase::Forward;
  Attrs attrs;
  std::vector<int> inputs;   // value ids read
  std::vector<int> outputs;  // value ids written (persistent values may appear here: in-place updates);
                             // a gradient step writes -1 for an input that needs no gradient
  int64_t flops = 0;
  std::string layer;         // the spec tensor this step comes from, for reports and errors
};

// A parameter and everything the runtime needs to initialise, update and checkpoint it.
struct ParamEntry {
  std::string name;          // "<layer>.<param>", stable across runs: checkpoints are keyed by it
  int value = -1;
  int grad = -1;             // -1 when not trained in this graph
  std::vector<int> state;    // optimizer state values
  std::string init;          // initializer name (see docs/plan.md)
  int64_t fan_in = 0, fan_out = 0;
  bool trainable = true;
};

// Non-trainable persistent state (optimizer slots, BatchNorm moving statistics) and its initial value.
struct StateEntry {
  std::string name;
  int value = -1;
  std::string init;  // "zeros" or "ones"
};

struct Graph {
  std::vector<Value> values;
  std::vector<Node> nodes;
  std::vector<ParamEntry> params;
  std::vector<StateEntry> state;
  std::vector<int> live_out;  // values the runtime reads after a step: the loss and its terms, predictions
  int loss = -1;              // the total training loss (train graphs)

  int add_value(std::string name, std::vector<int64_t> shape, BufferKind kind, DType dtype = DType::F32);
  Node& add_node(Node node);
  const Value& value(int id) const { return values.at(static_cast<size_t>(id)); }
  Value& value(int id) { return values.at(static_cast<size_t>(id)); }
  // The value with this name, or -1.
  int find_value(const std::string& name) const;
};

const char* to_string(BufferKind kind);
const char* to_string(Phase phase);
const char* to_string(DType dtype);
std::string format_shape(const std::vector<int64_t>& shape);
std::string format_attr(const AttrValue& value);

// Typed attribute access with a default; a wrong type is a programming error and throws.
int64_t attr_int(const Attrs& attrs, const std::string& key, int64_t fallback);
double attr_double(const Attrs& attrs, const std::string& key, double fallback);
bool attr_bool(const Attrs& attrs, const std::string& key, bool fallback);
std::string attr_string(const Attrs& attrs, const std::string& key, const std::string& fallback);

}  // namespace ynet::ir

#include "compiler/passes/quantize.h"

#include <algorithm>
#include <stdexcept>

namespace ynet::passes {
namespace {

// Values that are never negative: what a ReLU or a sigmoid puts out.
bool nonnegative_output(const ir::Node& n) {
  std::string activation;
  if (n.op == "Dense") activation = ir::attr_string(n.attrs, "activation", "none");
  if (n.op == "Activation") activation = ir::attr_string(n.attrs, "kind", "none");
  return activation == "relu" || activation == "sigmoid";
}

}  // namespace

int quantize_dense_int8(ir::Graph& graph) {
  if (std::any_of(graph.nodes.begin(), graph.nodes.end(), [](const ir::Node& n) { return n.phase == ir::Phase::Backward; }))
    throw std::logic_error("int8 quantization applies to inference plans only");
  std::vector<int> producer(graph.values.size(), -1);
  for (size_t i = 0; i < graph.nodes.size(); ++i)
    for (int v : graph.nodes[i].outputs)
      if (v >= 0) producer[static_cast<size_t>(v)] = static_cast<int>(i);

  std::vector<ir::Node> prologue;
  for (ir::Node& dense : graph.nodes) {
    if (dense.op != "Dense" || dense.phase != ir::Phase::Forward) continue;
    if (ir::attr_string(dense.attrs, "precision", "fp32") == "int8") continue;
    const int x = dense.inputs[0], w = dense.inputs[1];
    const int source = producer[static_cast<size_t>(x)];
    const bool input_unsigned = source >= 0 && nonnegative_output(graph.nodes[static_cast<size_t>(source)]);
    const std::vector<int64_t> w_shape = graph.value(w).shape;
    const int64_t rows = graph.value(x).elements() / w_shape[0];
    dense.attrs["precision"] = std::string("int8");
    dense.attrs["input_unsigned"] = input_unsigned;
    // The packed int8 weights, the quantized input and its row scales.
    dense.attrs["workspace_bytes"] = w_shape[0] * w_shape[1] + rows * w_shape[0] + rows * 4;

    const std::string name = dense.layer + ".W_scale";
    const int w_scale = graph.add_value(name, {w_shape[1]}, ir::BufferKind::ModelState);
    graph.state.push_back({name, w_scale, "derived"});
    dense.inputs.resize(3, -1);
    dense.inputs.push_back(w_scale);

    ir::Node quantize;
    quantize.op = "QuantizeDense";
    quantize.phase = ir::Phase::Prologue;
    quantize.attrs = {{"activation", ir::attr_string(dense.attrs, "activation", "none")},
                      {"input_unsigned", input_unsigned},
                      {"rows", rows},
                      {"precision", std::string("int8")}};
    quantize.inputs = {w};
    quantize.outputs = {w_scale};
    quantize.flops = 2 * w_shape[0] * w_shape[1];
    quantize.layer = dense.layer;
    prologue.push_back(std::move(quantize));
  }
  // After the existing prologue steps: FoldBatchNorm writes the weights that get quantized.
  const auto first_forward = std::find_if(graph.nodes.begin(), graph.nodes.end(),
                                          [](const ir::Node& n) { return n.phase != ir::Phase::Prologue; });
  const auto count = static_cast<int>(prologue.size());
  graph.nodes.insert(first_forward, std::make_move_iterator(prologue.begin()), std::make_move_iterator(prologue.end()));
  return count;
}

int pool_stored_frames(ir::Graph& graph, double dequantize_scale, double dequantize_bias) {
  const int frames = graph.find_value("input.features");
  if (frames < 0) return 0;
  ir::Value& input = graph.values[static_cast<size_t>(frames)];
  if (input.shape.size() != 3 || input.dtype != ir::DType::F32) return 0;
  std::vector<ir::Node*> pooling;
  for (ir::Node& n : graph.nodes) {
    if (std::find(n.inputs.begin(), n.inputs.end(), frames) == n.inputs.end()) continue;
    if (n.op != "FramePooling" || n.phase != ir::Phase::Forward || n.inputs[0] != frames) return 0;
    pooling.push_back(&n);
  }
  if (pooling.empty() || std::find(graph.live_out.begin(), graph.live_out.end(), frames) != graph.live_out.end())
    return 0;
  input.dtype = ir::DType::U8;
  for (ir::Node* n : pooling) {
    n->attrs["dequantize_scale"] = dequantize_scale;
    n->attrs["dequantize_bias"] = dequantize_bias;
  }
  return static_cast<int>(pooling.size());
}

}  // namespace ynet::passes

// Each pass on small hand-written graphs.
#include <doctest/doctest.h>

#include <stdexcept>

#include "compiler/passes/autodiff.h"
#include "compiler/passes/optimizer.h"
#include "compiler/passes/quantize.h"
#include "compiler/passes/simplify.h"

using namespace ynet;

namespace {

ir::Node step(std::string op, std::vector<int> in, std::vector<int> out, ir::Phase phase = ir::Phase::Forward) {
  ir::Node n;
  n.op = std::move(op);
  n.inputs = std::move(in);
  n.outputs = std::move(out);
  n.phase = phase;
  return n;
}

int add_param(ir::Graph& g, const std::string& name, std::vector<int64_t> shape) {
  const int v = g.add_value(name, std::move(shape), ir::BufferKind::Param);
  g.params.push_back({name, v, -1, {}, "zeros", 1, 1, true});
  return v;
}

// Gradient rules for the toy ops used here: every input gets a gradient from one backward step.
const passes::GradRule* toy_rules(const std::string&) {
  static const passes::GradRule rule = [](const ir::Node& fwd, passes::GradContext& ctx) {
    ops::emit_standard_grad(fwd, ctx, std::vector<bool>(fwd.inputs.size(), true),
                               std::vector<bool>(fwd.outputs.size(), false), 1);
  };
  return &rule;
}

}  // namespace

TEST_CASE("dead-step elimination keeps what feeds live-out values and state updates") {
  ir::Graph g;
  const int x = g.add_value("x", {4}, ir::BufferKind::Input);
  const int a = g.add_value("a", {4}, ir::BufferKind::Activation);
  const int b = g.add_value("b", {4}, ir::BufferKind::Activation);
  const int unused = g.add_value("unused", {4}, ir::BufferKind::Activation);
  const int state = g.add_value("state", {4}, ir::BufferKind::ModelState);
  g.add_node(step("A", {x}, {a}));
  g.add_node(step("Unused", {a}, {unused}));
  g.add_node(step("UpdatesState", {a}, {state}));
  g.add_node(step("B", {a}, {b}));
  g.live_out = {b};
  CHECK(passes::eliminate_dead_steps(g) == 1);
  REQUIRE(g.nodes.size() == 3);
  CHECK(g.nodes[1].op == "UpdatesState");
}

TEST_CASE("inference pruning removes dropout and loss steps and clears training flags") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 3}, ir::BufferKind::Input);
  const int d = g.add_value("d", {2, 3}, ir::BufferKind::Activation);
  const int y = g.add_value("y", {2, 3}, ir::BufferKind::Activation);
  const int loss = g.add_value("loss", {}, ir::BufferKind::Scalar);
  ir::Node drop = step("Dropout", {x}, {d});
  drop.attrs["training"] = true;
  g.add_node(drop);
  ir::Node dense = step("Dense", {d}, {y});
  dense.attrs["training"] = true;
  g.add_node(dense);
  g.add_node(step("SigmoidCrossEntropy", {y}, {loss}, ir::Phase::Loss));
  g.live_out = {y, loss};
  g.loss = loss;
  passes::prune_for_inference(g);
  REQUIRE(g.nodes.size() == 1);
  CHECK(g.nodes[0].op == "Dense");
  CHECK(g.nodes[0].inputs[0] == x);
  CHECK_FALSE(ir::attr_bool(g.nodes[0].attrs, "training", true));
  CHECK(g.loss == -1);
  CHECK(g.live_out == std::vector<int>{y});
}

TEST_CASE("Dense followed by its only reader, an activation, fuses") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 3}, ir::BufferKind::Input);
  const int w = add_param(g, "w", {3, 5});
  const int y = g.add_value("y", {2, 5}, ir::BufferKind::Activation);
  const int z = g.add_value("z", {2, 5}, ir::BufferKind::Activation);
  ir::Node dense = step("Dense", {x, w, -1}, {y});
  dense.attrs["activation"] = std::string("none");
  g.add_node(dense);
  ir::Node act = step("Activation", {y}, {z});
  act.attrs["kind"] = std::string("sigmoid");
  g.add_node(act);
  g.live_out = {z};
  CHECK(passes::fuse_dense_activation(g) == 1);
  REQUIRE(g.nodes.size() == 1);
  CHECK(ir::attr_string(g.nodes[0].attrs, "activation", "") == "sigmoid");
  CHECK(g.nodes[0].outputs[0] == z);
}

TEST_CASE("no fusion when the Dense output has a second reader") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 3}, ir::BufferKind::Input);
  const int y = g.add_value("y", {2, 3}, ir::BufferKind::Activation);
  const int z = g.add_value("z", {2, 3}, ir::BufferKind::Activation);
  g.add_node(step("Dense", {x}, {y}));
  g.add_node(step("Activation", {y}, {z}));
  g.live_out = {z, y};
  CHECK(passes::fuse_dense_activation(g) == 0);
}

TEST_CASE("BatchNorm after Dense folds into a prologue step in inference") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 3}, ir::BufferKind::Input);
  const int w = add_param(g, "fc.weights", {3, 4});
  const int b = add_param(g, "fc.bias", {4});
  const int gamma = add_param(g, "bn.gamma", {4});
  const int beta = add_param(g, "bn.beta", {4});
  const int mean = g.add_value("bn.mean", {4}, ir::BufferKind::ModelState);
  const int var = g.add_value("bn.var", {4}, ir::BufferKind::ModelState);
  const int y = g.add_value("y", {2, 4}, ir::BufferKind::Activation);
  const int z = g.add_value("z", {2, 4}, ir::BufferKind::Activation);
  ir::Node dense = step("Dense", {x, w, b}, {y});
  dense.layer = "fc";
  g.add_node(dense);
  ir::Node bn = step("BatchNorm", {y, gamma, beta, mean, var}, {z});
  bn.attrs["training"] = false;
  g.add_node(bn);
  g.live_out = {z};
  CHECK(passes::fold_batchnorm_into_dense(g) == 1);
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].op == "FoldBatchNorm");
  CHECK(g.nodes[0].phase == ir::Phase::Prologue);
  CHECK(g.nodes[0].inputs == std::vector<int>{w, b, gamma, beta, mean, var});
  CHECK(g.nodes[1].op == "Dense");
  CHECK(g.nodes[1].outputs[0] == z);
  CHECK(g.nodes[1].inputs[1] == g.nodes[0].outputs[0]);
}

TEST_CASE("an inference BatchNorm read only by a FramePooling folds into the pooling") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 5, 4}, ir::BufferKind::Input);
  const int lengths = g.add_value("lengths", {2}, ir::BufferKind::Input, ir::DType::I32);
  const int gamma = add_param(g, "bn.gamma", {4});
  const int beta = add_param(g, "bn.beta", {4});
  const int mean = g.add_value("bn.mean", {4}, ir::BufferKind::ModelState);
  const int var = g.add_value("bn.var", {4}, ir::BufferKind::ModelState);
  const int y = g.add_value("y", {2, 5, 4}, ir::BufferKind::Activation);
  const int pooled = g.add_value("pooled", {2, 4}, ir::BufferKind::Activation);
  ir::Node bn = step("BatchNorm", {x, gamma, beta, mean, var}, {y});
  bn.attrs["training"] = false;
  bn.layer = "bn";
  ir::Node pool = step("FramePooling", {y, lengths}, {pooled});
  pool.attrs["mode"] = std::string("max");

  SUBCASE("folded") {
    g.add_node(bn);
    g.add_node(pool);
    g.live_out = {pooled};
    CHECK(passes::fold_batchnorm_into_pooling(g) == 1);
    REQUIRE(g.nodes.size() == 2);
    CHECK(g.nodes[0].op == "FoldBatchNorm");
    CHECK(g.nodes[0].phase == ir::Phase::Prologue);
    CHECK(g.nodes[0].inputs == std::vector<int>{-1, -1, gamma, beta, mean, var});
    const std::vector<int> affine = g.nodes[0].outputs;
    REQUIRE(affine.size() == 2);
    CHECK(g.value(affine[0]).shape == std::vector<int64_t>{4});
    CHECK(g.nodes[1].op == "FramePooling");
    CHECK(g.nodes[1].inputs == std::vector<int>{x, lengths, affine[0], affine[1]});
    CHECK(g.nodes[1].outputs[0] == pooled);
  }
  SUBCASE("not while the normalised frames have another reader") {
    g.add_node(bn);
    g.add_node(pool);
    g.live_out = {pooled, y};
    CHECK(passes::fold_batchnorm_into_pooling(g) == 0);
  }
  SUBCASE("not in training") {
    bn.attrs["training"] = true;
    g.add_node(bn);
    g.add_node(pool);
    g.live_out = {pooled};
    CHECK(passes::fold_batchnorm_into_pooling(g) == 0);
  }
}

TEST_CASE("frames read only by FramePooling steps are kept as their stored bytes") {
  ir::Graph g;
  const int x = g.add_value("input.features", {2, 5, 4}, ir::BufferKind::Input);
  const int lengths = g.add_value("input.lengths", {2}, ir::BufferKind::Input, ir::DType::I32);
  const int pooled = g.add_value("pooled", {2, 4}, ir::BufferKind::Activation);
  const int pooled2 = g.add_value("pooled2", {2, 4}, ir::BufferKind::Activation);
  ir::Node pool = step("FramePooling", {x, lengths}, {pooled});
  pool.attrs["mode"] = std::string("max");

  SUBCASE("every reader pools") {
    g.add_node(pool);
    g.add_node(step("FramePooling", {x, lengths}, {pooled2}));
    g.live_out = {pooled, pooled2};
    CHECK(passes::pool_stored_frames(g, 0.5, -2.0) == 2);
    CHECK(g.value(x).dtype == ir::DType::U8);
    CHECK(g.value(x).bytes() == 40);
    for (const ir::Node& n : g.nodes) {
      CHECK(ir::attr_double(n.attrs, "dequantize_scale", 0) == 0.5);
      CHECK(ir::attr_double(n.attrs, "dequantize_bias", 0) == -2.0);
    }
    CHECK(passes::pool_stored_frames(g, 0.5, -2.0) == 0);  // already bytes
  }
  SUBCASE("not when another step reads the frames") {
    g.add_node(pool);
    g.add_node(step("L2Normalize", {x}, {pooled2}));
    g.live_out = {pooled, pooled2};
    CHECK(passes::pool_stored_frames(g, 0.5, -2.0) == 0);
    CHECK(g.value(x).dtype == ir::DType::F32);
    CHECK(g.nodes[0].attrs.count("dequantize_scale") == 0);
  }
  SUBCASE("not when the frames are an output") {
    g.add_node(pool);
    g.live_out = {pooled, x};
    CHECK(passes::pool_stored_frames(g, 0.5, -2.0) == 0);
  }
  SUBCASE("not for video-level features") {
    ir::Graph video;
    const int v = video.add_value("input.features", {2, 4}, ir::BufferKind::Input);
    video.add_node(step("Dense", {v, -1, -1}, {video.add_value("y", {2, 3}, ir::BufferKind::Activation)}));
    CHECK(passes::pool_stored_frames(video, 0.5, -2.0) == 0);
  }
}

TEST_CASE("int8 quantization gives each forward Dense a prologue step and a scale buffer") {
  ir::Graph g;
  const int x = g.add_value("x", {2, 3}, ir::BufferKind::Input);
  const int w1 = add_param(g, "fc1.weights", {3, 4});
  const int w2 = add_param(g, "fc2.weights", {4, 5});
  const int b2 = add_param(g, "fc2.bias", {5});
  const int h = g.add_value("h", {2, 4}, ir::BufferKind::Activation);
  const int y = g.add_value("y", {2, 5}, ir::BufferKind::Activation);
  const int prologue_out = g.add_value("folded", {4}, ir::BufferKind::ModelState);
  g.add_node(step("FoldBatchNorm", {w1}, {prologue_out}, ir::Phase::Prologue));
  ir::Node fc1 = step("Dense", {x, w1, -1}, {h});
  fc1.layer = "fc1";
  fc1.attrs["activation"] = std::string("relu");
  ir::Node fc2 = step("Dense", {h, w2, b2}, {y});
  fc2.layer = "fc2";
  g.add_node(fc1);
  g.add_node(fc2);
  g.live_out = {y};
  CHECK(passes::quantize_dense_int8(g) == 2);
  REQUIRE(g.nodes.size() == 5);
  CHECK(g.nodes[0].op == "FoldBatchNorm");  // quantizing comes after the weights are folded
  CHECK(g.nodes[1].op == "QuantizeDense");
  CHECK(g.nodes[2].op == "QuantizeDense");
  CHECK(g.nodes[1].inputs == std::vector<int>{w1});
  CHECK(g.value(g.nodes[2].outputs[0]).shape == std::vector<int64_t>{5});
  CHECK(ir::attr_int(g.nodes[2].attrs, "rows", 0) == 2);
  const ir::Node& q1 = g.nodes[3];
  const ir::Node& q2 = g.nodes[4];
  CHECK(ir::attr_string(q1.attrs, "precision", "") == "int8");
  CHECK_FALSE(ir::attr_bool(q1.attrs, "input_unsigned", true));  // the model's input can be negative
  CHECK(ir::attr_bool(q2.attrs, "input_unsigned", false));       // the ReLU's output cannot
  CHECK(q2.inputs == std::vector<int>{h, w2, b2, g.nodes[2].outputs[0]});
  CHECK(q1.inputs[3] == g.nodes[1].outputs[0]);
  CHECK(passes::quantize_dense_int8(g) == 0);  // already quantized

  ir::Graph training;
  const int a = training.add_value("a", {1}, ir::BufferKind::Input);
  training.add_node(step("Dense.grad", {a}, {a}, ir::Phase::Backward));
  CHECK_THROWS_AS(passes::quantize_dense_int8(training), std::logic_error);
}

TEST_CASE("autodiff sums the gradients of a value used twice") {
  // y = A(x, w); s = B(y, y) ; the loss is s. dy gets two contributions, summed by an AddGrad step.
  ir::Graph g;
  const int x = g.add_value("x", {3}, ir::BufferKind::Input);
  const int w = add_param(g, "w", {3});
  const int y = g.add_value("y", {3}, ir::BufferKind::Activation);
  const int s = g.add_value("s", {}, ir::BufferKind::Scalar);
  const int loss = g.add_value("loss", {}, ir::BufferKind::Scalar);
  g.add_node(step("A", {x, w}, {y}));
  g.add_node(step("B", {y, y}, {s}, ir::Phase::Loss));
  g.add_node(step("LossSum", {s}, {loss}, ir::Phase::Loss));
  g.loss = loss;
  passes::autodiff(g, toy_rules);
  std::vector<std::string> ops;
  for (const auto& n : g.nodes) ops.push_back(n.op);
  CHECK(ops == std::vector<std::string>{"A", "B", "LossSum", "LossSum.grad", "B.grad", "AddGrad", "A.grad"});
  const ir::Node& a_grad = g.nodes.back();
  CHECK(a_grad.outputs[0] == -1);  // x is data: no gradient
  CHECK(a_grad.outputs[1] >= 0);
  CHECK(g.params[0].grad == a_grad.outputs[1]);
  CHECK(g.value(a_grad.outputs[1]).kind == ir::BufferKind::ParamGrad);
  // A.grad reads the summed dy.
  CHECK(a_grad.inputs.back() == g.nodes[5].outputs[0]);
}

TEST_CASE("autodiff names the op that lacks a gradient rule") {
  ir::Graph g;
  const int w = add_param(g, "w", {3});
  const int loss = g.add_value("loss", {}, ir::BufferKind::Scalar);
  const int t = g.add_value("t", {}, ir::BufferKind::Scalar);
  g.add_node(step("Mystery", {w}, {t}));
  g.add_node(step("LossSum", {t}, {loss}, ir::Phase::Loss));
  g.loss = loss;
  CHECK_THROWS_WITH(passes::autodiff(g, [](const std::string&) -> const passes::GradRule* { return nullptr; }),
                    "op 'Mystery' has no gradient rule");
}

TEST_CASE("the optimizer pass adds slots with TensorFlow 1 initial values and one fused update") {
  ir::Graph g;
  const int w = add_param(g, "w", {3});
  const int dw = g.add_value("dw", {3}, ir::BufferKind::ParamGrad);
  g.params[0].grad = dw;
  plan::OptimizerConfig config;
  config.name = "RMSProp";
  config.args = {{"lr", 1e-4}, {"decay", 0.9}, {"momentum", 0.0}, {"epsilon", 1e-10}};
  config.clip_norm = 1.0;
  config.clip = "global";
  passes::append_optimizer(g, config);
  REQUIRE(g.nodes.size() == 2);
  CHECK(g.nodes[0].op == "ClipByGlobalNorm");
  CHECK(g.nodes[1].op == "RMSProp");
  CHECK(g.nodes[1].inputs == std::vector<int>{w, dw, g.params[0].state[0]});
  REQUIRE(g.state.size() == 1);
  CHECK(g.state[0].name == "w.ms");
  CHECK(g.state[0].init == "ones");
}

#include "compiler/lower/compile.h"

#include <fmt/format.h>

#include <stdexcept>

#include "compiler/passes/autodiff.h"
#include "compiler/passes/memory_plan.h"
#include "compiler/passes/optimizer.h"
#include "compiler/passes/quantize.h"
#include "compiler/passes/simplify.h"
#include "ops/lowering.h"
#include "compiler/sema/size_limits.h"

namespace ynet::compiler {
namespace {

double as_double(const sema::AttrValue& v) {
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  if (auto* b = std::get_if<bool>(&v)) return *b ? 1.0 : 0.0;
  throw std::logic_error("a numeric argument holds text");
}

plan::PlanMeta make_meta(const sema::CheckedModel& model, int64_t batch, plan::Mode mode) {
  plan::PlanMeta meta;
  meta.model = model.name;
  meta.mode = mode;
  meta.batch = batch;
  const bool frames = model.input.level == sema::InputSpec::Level::Frame;
  meta.level = frames ? "frame" : "video";
  meta.max_frames = frames ? model.input.max_frames : 1;
  meta.skip_frames = frames ? model.input.skip_frames : 0;
  for (const auto& f : model.input.features) meta.features.push_back({f.name, f.size});
  meta.normalize = model.input.normalize;
  meta.id_key = model.input.id_key;
  meta.labels_key = model.labels.key;
  meta.classes = model.labels.classes;
  meta.optimizer.name = model.train.optimizer.name;
  for (const auto& [k, v] : model.train.optimizer.args) meta.optimizer.args[k] = as_double(v);
  meta.optimizer.clip_norm = model.train.clip_norm;
  meta.optimizer.clip = model.train.clip;
  meta.schedule = model.train.schedule.name;
  for (const auto& [k, v] : model.train.schedule.args) meta.schedule_args[k] = as_double(v);
  meta.steps = model.train.steps;
  meta.eval_every = model.train.eval_every;
  meta.seed = model.train.seed;
  meta.source = model.source_path;
  return meta;
}

}  // namespace

plan::Plan lower_forward(const sema::CheckedModel& model, int64_t batch, int64_t max_frames) {
  if (batch <= 0) throw std::invalid_argument(fmt::format("batch must be positive, got {}", batch));
  plan::Plan p;
  p.meta = make_meta(model, batch, plan::Mode::Train);
  if (max_frames > 0 && p.meta.level == "frame") p.meta.max_frames = max_frames;
  ir::Graph& g = p.graph;
  const bool frames = model.input.level == sema::InputSpec::Level::Frame;
  const int64_t features = model.input.feature_size();
  const int64_t T = p.meta.max_frames;
  const int x = g.add_value("input.features", frames ? std::vector<int64_t>{batch, T, features}
                                                     : std::vector<int64_t>{batch, features},
                            ir::BufferKind::Input);
  const int lengths = frames ? g.add_value("input.lengths", {batch}, ir::BufferKind::Input, ir::DType::I32) : -1;
  const int labels = g.add_value("input.labels", {batch, model.labels.classes}, ir::BufferKind::Input);

  std::vector<int> value_of(model.nodes.size(), -1);
  std::vector<int> loss_terms;
  int64_t rng_stream = 0;
  for (const sema::LayerNode& node : model.nodes) {
    if (node.op == "Input") {
      int v = x;
      if (model.input.normalize == "l2") {
        const int y = g.add_value("input.normalized", g.value(x).shape, ir::BufferKind::Activation);
        ir::Node n;
        n.op = "L2Normalize";
        n.inputs = {x};
        n.outputs = {y};
        n.flops = 3 * g.value(x).elements();
        n.layer = node.name;
        n.attrs["epsilon"] = 1e-12;
        g.add_node(std::move(n));
        v = y;
      }
      value_of[static_cast<size_t>(node.id)] = v;
      continue;
    }
    if (node.op == "Labels") {
      value_of[static_cast<size_t>(node.id)] = labels;
      continue;
    }
    const ops::OpLowering* rule = ops::find_lowering(node.op);
    if (!rule || !rule->lower) throw std::logic_error(fmt::format("layer op '{}' has no lowering rule", node.op));
    ops::LowerContext ctx(g, node);
    for (int in : node.inputs) ctx.inputs.push_back(value_of.at(static_cast<size_t>(in)));
    ctx.params = ops::add_params(g, node.name, node.params);
    ctx.lengths = lengths;
    ctx.batch = batch;
    ctx.max_frames = T;
    ctx.rng_stream = ++rng_stream;
    rule->lower(ctx);
    if (ctx.output < 0) throw std::logic_error(fmt::format("lowering of '{}' produced no output", node.name));
    value_of[static_cast<size_t>(node.id)] = ctx.output;
    for (int t : ctx.loss_terms) loss_terms.push_back(t);
  }
  for (int id : model.losses) loss_terms.insert(loss_terms.begin(), value_of.at(static_cast<size_t>(id)));
  for (int id : model.outputs) g.live_out.push_back(value_of.at(static_cast<size_t>(id)));
  if (!loss_terms.empty()) {
    g.loss = g.add_value("loss", {}, ir::BufferKind::Scalar);
    ir::Node sum;
    sum.op = "LossSum";
    sum.phase = ir::Phase::Loss;
    sum.inputs = loss_terms;
    sum.outputs = {g.loss};
    sum.flops = static_cast<int64_t>(loss_terms.size());
    sum.layer = "loss";
    g.add_node(std::move(sum));
    g.live_out.push_back(g.loss);
    for (int t : loss_terms) g.live_out.push_back(t);
  }
  return p;
}

PassReport quantize_int8(plan::Plan& plan) {
  if (plan.meta.mode != plan::Mode::Infer)
    throw std::invalid_argument("int8 applies to inference plans (evaluation, prediction), not to training");
  const int quantized = passes::quantize_dense_int8(plan.graph);
  passes::compact_values(plan.graph);
  plan.memory = passes::plan_memory(plan.graph, plan.graph.live_out);
  return {"quantize-int8", quantized};
}

PassReport pool_stored_frames(plan::Plan& plan, double dequantize_scale, double dequantize_bias) {
  if (plan.meta.mode != plan::Mode::Infer)
    throw std::invalid_argument("stored-byte frames are for inference plans (evaluation, prediction), not training");
  const int changed = passes::pool_stored_frames(plan.graph, dequantize_scale, dequantize_bias);
  if (changed > 0) plan.memory = passes::plan_memory(plan.graph, plan.graph.live_out);
  return {"pool-stored-frames", changed};
}

Compiled compile(const sema::CheckedModel& model, const CompileOptions& options) {
  const int64_t batch = options.batch > 0 ? options.batch : model.train.batch;
  // `check` reports this at the spec's batch; a --batch or max_frames given here is checked again
  // before any size is computed in 64-bit integers.
  if (const auto problem = sema::find_size_problem(model, batch, options.max_frames))
    throw SizeLimitExceeded(fmt::format("{} (line {}); {}", problem->message, problem->loc.line, problem->hint));
  Compiled out{lower_forward(model, batch, options.max_frames), {}};
  plan::Plan& p = out.plan;
  p.meta.mode = options.mode;
  ir::Graph& g = p.graph;
  auto record = [&](const char* name, int changes) { out.passes.push_back({name, changes}); };

  if (options.mode == plan::Mode::Infer) {
    // Predictions are what an inference plan is for; the loss and its terms are not computed.
    record("prune-for-inference", passes::prune_for_inference(g));
    record("fold-batchnorm", passes::fold_batchnorm_into_dense(g));
    record("fold-batchnorm-into-pooling", passes::fold_batchnorm_into_pooling(g));
    record("fuse-dense-activation", passes::fuse_dense_activation(g));
    if (options.precision == Precision::int8) record("quantize-int8", passes::quantize_dense_int8(g));
  } else {
    if (options.precision == Precision::int8)
      throw std::invalid_argument("int8 applies to inference plans (evaluation, prediction), not to training");
    if (g.loss < 0) throw std::logic_error(fmt::format("model '{}' has no loss to train", model.name));
    // Predictions are not needed to train; an evaluation runs the inference plan.
    std::erase_if(g.live_out, [&](int v) { return g.value(v).kind != ir::BufferKind::Scalar; });
    record("eliminate-dead-steps", passes::eliminate_dead_steps(g));
    const size_t before = g.nodes.size();
    passes::autodiff(g, [](const std::string& op) { return ops::find_grad_rule(op); });
    record("autodiff", static_cast<int>(g.nodes.size() - before));
    const size_t before_opt = g.nodes.size();
    passes::append_optimizer(g, p.meta.optimizer);
    record("optimizer", static_cast<int>(g.nodes.size() - before_opt));
  }
  record("eliminate-dead-steps", passes::eliminate_dead_steps(g));
  const size_t values_before = g.values.size();
  passes::compact_values(g);
  record("compact-values", static_cast<int>(values_before - g.values.size()));
  p.memory = passes::plan_memory(g, g.live_out);
  record("memory-plan", static_cast<int>(g.values.size()));
  return out;
}

}  // namespace ynet::compiler

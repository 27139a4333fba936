#include "compiler/sema/graph_builder.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

namespace ynet::sema {

using syntax::Expr;
using syntax::SourceLoc;

namespace {

std::vector<std::string> layer_names() {
  std::vector<std::string> names;
  for (const ops::OpDef& op : ops::all_ops()) {
    if (op.category == "layer" || op.category == "loss") names.push_back(op.name);
  }
  return names;
}

bool visible_outside(const Graph& g, const std::string& name) {
  for (const Graph* o = g.outer; o != nullptr; o = o->outer) {
    if (o->scope.count(name) > 0) return true;
  }
  return false;
}

}  // namespace

bool GraphBuilder::within_budget(const SourceLoc& loc) {
  if (over_budget_) return false;
  if (layers_ < kMaxLayers && parameters_ <= kMaxParameters) return true;
  over_budget_ = true;
  diags_.error(loc,
               layers_ >= kMaxLayers ? fmt::format("the model expands to more than {} layers", kMaxLayers)
                                     : fmt::format("the model has more than {:g} parameters", kMaxParameters),
               "check `repeat` counts and layer sizes");
  return false;
}

int GraphBuilder::add_node(Graph& g, LayerNode node) {
  ++layers_;
  for (const ParamInfo& p : node.params) {
    double size = 1;
    for (int64_t d : p.shape) size *= static_cast<double>(d);
    parameters_ += size;
  }
  node.id = static_cast<int>(g.nodes->size());
  g.nodes->push_back(std::move(node));
  return g.nodes->back().id;
}

std::string GraphBuilder::generated_name(Graph& g, const std::string& prefix, const std::string& op) {
  std::string base = prefix.empty() ? op : prefix + "/" + op;
  int n = ++g.generated[base];
  return n == 1 ? base : fmt::format("{}_{}", base, n);
}

int GraphBuilder::tensor(const Expr& e, Graph& g, const std::string& prefix) {
  switch (e.kind) {
    case Expr::Kind::Call: return layer(e, -1, g, prefix);
    case Expr::Kind::Pipeline: {
      int cur = tensor(*e.stages[0], g, prefix);
      for (size_t i = 1; i < e.stages.size() && cur >= 0; ++i) cur = stage(*e.stages[i], cur, g, prefix);
      return cur;
    }
    case Expr::Kind::Name: {
      if (!e.members.empty()) return feature(e, g);
      auto it = g.scope.find(e.text);
      if (it != g.scope.end()) {
        it->second.used = true;
        return it->second.node;
      }
      if (visible_outside(g, e.text)) {
        diags_.error(e.loc, fmt::format("`{}` is not visible inside a sub-network", e.text),
                     "a sub-network sees only its own input");
      } else if (const ops::OpDef* op = ops::find_op(e.text); op != nullptr && op->category != "optimizer" &&
                                                              op->category != "schedule") {
        diags_.error(e.loc, fmt::format("`{}` is a layer, not a tensor", e.text),
                     fmt::format("call it, `{0}(x)`, or use it as a pipeline stage, `x -> {0}`", e.text));
      } else if (env_.params.find(e.text) != nullptr) {
        diags_.error(e.loc, fmt::format("`{}` is a param, not a tensor", e.text),
                     "params give argument values, such as `units: hidden`");
      } else {
        std::vector<std::string> names;
        for (const auto& [name, entry] : g.scope) names.push_back(name);
        std::string suggestion = syntax::closest_match(e.text, names);
        diags_.error(e.loc, fmt::format("unknown tensor `{}`", e.text),
                     suggestion.empty() ? "tensors are defined by `name = ...`, `input` or `labels` before use"
                                        : fmt::format("did you mean `{}`?", suggestion));
      }
      return -1;
    }
    case Expr::Kind::Repeat:
      diags_.error(e.name_loc, "`repeat` needs an input", "write it as a pipeline stage: `x -> repeat 2 { ... }`");
      return -1;
    case Expr::Kind::Network:
      diags_.error(e.loc, "a sub-network `{ ... }` is only allowed as a layer argument",
                   "for example `MoE(x, experts: 8, expert: { Dense(256, relu) })`");
      return -1;
    default: break;
  }
  diags_.error(e.loc, fmt::format("expected a tensor, found {}", describe_expr(e)));
  return -1;
}

int GraphBuilder::feature(const Expr& e, Graph& g) {
  const std::string name = fmt::format("{}.{}", e.text, fmt::join(e.members, "."));
  if (auto it = g.scope.find(name); it != g.scope.end()) return it->second.node;
  auto input = g.scope.find(e.text);
  if (e.text != env_.input_name || input == g.scope.end()) {
    if (g.scope.count(e.text) > 0 || e.text == env_.labels_name) {
      diags_.error(e.name_loc, fmt::format("`{}` has no features to select", e.text),
                   env_.input_name.empty() ? "" : fmt::format("features are selected from the input, e.g. `{}.{}`",
                                                              env_.input_name, env_.input_features.at(0).first));
    } else {
      diags_.error(e.name_loc, fmt::format("unknown tensor `{}`", e.text));
    }
    return -1;
  }
  std::vector<std::string> names;
  int64_t from = 0;
  for (const auto& [feature, size] : env_.input_features) {
    if (e.members.size() == 1 && feature == e.members[0]) {
      input->second.used = true;
      LayerNode node;
      node.name = name;
      node.op = "Slice";
      node.loc = e.loc;
      node.inputs = {input->second.node};
      node.attrs = {{"from", from}, {"size", size}};
      node.shape = (*g.nodes)[static_cast<size_t>(input->second.node)].shape;
      node.shape.back() = ops::Dim::constant(size);
      const int id = add_node(g, std::move(node));
      g.scope[name] = TensorEntry{id, e.loc, true};
      return id;
    }
    names.push_back(feature);
    from += size;
  }
  const std::string suggestion = e.members.size() == 1 ? syntax::closest_match(e.members[0], names) : "";
  diags_.error(e.members.size() == 1 ? e.member_locs[0] : e.loc,
               fmt::format("input `{}` has no feature `{}`", e.text, fmt::join(e.members, ".")),
               suggestion.empty() ? fmt::format("its features are {}", fmt::join(names, ", "))
                                  : fmt::format("did you mean `{}.{}`?", e.text, suggestion));
  return -1;
}

int GraphBuilder::stage(const Expr& e, int input, Graph& g, const std::string& prefix) {
  switch (e.kind) {
    case Expr::Kind::Call: return layer(e, input, g, prefix);
    case Expr::Kind::Name:
      if (e.members.empty()) return layer(e, input, g, prefix);
      break;
    case Expr::Kind::Repeat: return repeat(e, input, g, prefix);
    case Expr::Kind::Network: return body(*e.stages[0], input, g, prefix);
    default: break;
  }
  diags_.error(e.loc, fmt::format("a pipeline stage must be a layer, found {}", describe_expr(e)),
               "stages are layers such as `BatchNorm` or `Dropout(0.3)`");
  return -1;
}

int GraphBuilder::body(const Expr& e, int input, Graph& g, const std::string& prefix) {
  if (e.kind != Expr::Kind::Pipeline) return stage(e, input, g, prefix);
  int cur = input;
  for (size_t i = 0; i < e.stages.size() && cur >= 0; ++i) cur = stage(*e.stages[i], cur, g, prefix);
  return cur;
}

int GraphBuilder::repeat(const Expr& e, int input, Graph& g, const std::string& prefix) {
  ops::ArgDef count_arg{"repeat", ops::ArgType::Int, std::nullopt, ops::Range{1.0, 1000.0}, {}, ""};
  std::optional<ops::AttrValue> count = eval_value(*e.stages[0], count_arg, env_);
  if (!count) return -1;
  int cur = input;
  for (int64_t i = 0; i < std::get<int64_t>(*count) && cur >= 0 && within_budget(e.name_loc); ++i) {
    cur = body(*e.stages[1], cur, g, fmt::format("{}{}repeat{}", prefix, prefix.empty() ? "" : "/", i + 1));
  }
  return cur;
}

const ops::OpDef* GraphBuilder::find_layer(const SourceLoc& loc, const std::string& name, const Graph& g) {
  const ops::OpDef* op = ops::find_op(name);
  if (op != nullptr && (op->category == "layer" || op->category == "loss")) return op;
  if (op != nullptr) {
    diags_.error(loc, fmt::format("`{}` is {} {}, not a layer", name, op->category == "optimizer" ? "an" : "a",
                                  op->category),
                 fmt::format("use it in the train block: `{} = {}(...)`", op->category, name));
  } else if (name == "frames" || name == "video" || name == "multilabel") {
    diags_.error(loc, fmt::format("`{}` declares {}", name, name == "multilabel" ? "labels" : "an input"),
                 name == "multilabel" ? "write `labels target = multilabel(4716)`"
                                      : fmt::format("write `input video = {}(...)`", name));
  } else if (g.scope.count(name) > 0) {
    diags_.error(loc, fmt::format("`{}` is a tensor, not a layer", name),
                 "pipeline stages are layers, e.g. `x -> Dense(10)`");
  } else {
    std::string suggestion = syntax::closest_match(name, layer_names());
    diags_.error(loc, fmt::format("unknown layer `{}`", name),
                 suggestion.empty() ? "`ynet help layers` lists every layer"
                                    : fmt::format("did you mean `{}`?", suggestion));
  }
  return nullptr;
}

bool GraphBuilder::subnetwork(const Expr& e, const ops::OpDef& op, const std::string& arg, int64_t replicas,
                              const Shape& input, const std::string& prefix, const Graph& outer,
                              SubNetwork& out) {
  out.arg = arg;
  out.replicas = replicas;
  Graph sub;
  sub.nodes = &out.nodes;
  sub.outer = &outer;
  LayerNode in;
  in.name = prefix + "/input";
  in.op = "SubnetInput";
  in.shape = input;
  in.loc = e.loc;
  add_node(sub, std::move(in));
  int result = -1;
  if (e.kind == Expr::Kind::Network) {
    result = body(*e.stages[0], 0, sub, prefix);
  } else if (e.kind == Expr::Kind::Call || (e.kind == Expr::Kind::Name && e.members.empty())) {
    result = stage(e, 0, sub, prefix);
  } else {
    diags_.error(e.loc, fmt::format("`{}` needs a sub-network `{{ ... }}`, found {}", arg, describe_expr(e)),
                 "for example `{ Dense(1024, relu) -> Dense(1024) }`");
  }
  if (result < 0) return false;
  if (!op.subnetwork_replicas_arg.empty()) {
    for (LayerNode& n : out.nodes) {
      for (ParamInfo& p : n.params) {
        // add_node counted one replica; the others count now.
        double size = static_cast<double>(replicas - 1);
        for (int64_t d : p.shape) size *= static_cast<double>(d);
        parameters_ += size;
        p.shape.insert(p.shape.begin(), replicas);
      }
    }
  }
  return within_budget(e.loc);
}

}  // namespace ynet::sema

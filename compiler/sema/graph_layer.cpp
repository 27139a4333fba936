// GraphBuilder::layer: one layer call, from argument binding to the finished node.
#include <fmt/format.h>

#include "compiler/sema/graph_builder.h"

namespace ynet::sema {

using syntax::Argument;
using syntax::Expr;
using syntax::SourceLoc;

namespace {

// Which expression fills each input and argument of an op, after positional and keyword matching.
struct Binding {
  std::vector<const Expr*> inputs;
  std::vector<const Expr*> args;
  std::vector<SourceLoc> arg_locs;
};

std::vector<std::string> argument_names(const ops::OpDef& op) {
  std::vector<std::string> names;
  for (const ops::InputDef& in : op.inputs) names.push_back(in.name);
  for (const ops::ArgDef& a : op.args) names.push_back(a.name);
  return names;
}

}  // namespace

int GraphBuilder::layer(const Expr& e, int implicit_input, Graph& g, const std::string& prefix) {
  const SourceLoc name_loc = e.kind == Expr::Kind::Call ? e.name_loc : e.loc;
  if (!within_budget(name_loc)) return -1;
  const ops::OpDef* op = find_layer(name_loc, e.text, g);
  if (op == nullptr) return -1;

  Binding b{std::vector<const Expr*>(op->inputs.size(), nullptr),
            std::vector<const Expr*>(op->args.size(), nullptr),
            std::vector<SourceLoc>(op->args.size(), name_loc)};
  const size_t first_free_input = implicit_input >= 0 ? 1 : 0;
  size_t next_input = first_free_input, next_arg = 0;
  bool ok = true, keyword_seen = false;
  for (const Argument& a : e.args) {
    const Expr* value = a.value.get();
    if (a.name.empty()) {
      if (keyword_seen) {
        diags_.error(value->loc, "positional argument after keyword arguments",
                     "name it, e.g. `units: 10`, or move it before the keyword arguments");
        ok = false;
      } else if (next_input < op->inputs.size()) {
        b.inputs[next_input++] = value;
      } else if (next_arg < op->args.size()) {
        b.arg_locs[next_arg] = value->loc;
        b.args[next_arg++] = value;
      } else {
        diags_.error(value->loc, fmt::format("too many arguments for `{}`", op->name),
                     fmt::format("it takes {}", signature(*op)));
        ok = false;
      }
      continue;
    }
    keyword_seen = true;
    bool matched = false;
    for (size_t i = 0; i < op->inputs.size() && !matched; ++i) {
      if (op->inputs[i].name != a.name) continue;
      matched = true;
      if (i < first_free_input) {
        diags_.error(a.name_loc, fmt::format("input `{}` is already given by the pipeline", a.name));
        ok = false;
      } else if (b.inputs[i] != nullptr) {
        diags_.error(a.name_loc, fmt::format("input `{}` is given twice", a.name));
        ok = false;
      } else {
        b.inputs[i] = value;
      }
    }
    for (size_t i = 0; i < op->args.size() && !matched; ++i) {
      if (op->args[i].name != a.name) continue;
      matched = true;
      if (b.args[i] != nullptr) {
        diags_.error(a.name_loc, fmt::format("argument `{}` is given twice", a.name));
        ok = false;
      } else {
        b.args[i] = value;
        b.arg_locs[i] = value->loc;
      }
    }
    if (!matched) {
      std::string suggestion = syntax::closest_match(a.name, argument_names(*op));
      diags_.error(a.name_loc, fmt::format("`{}` has no argument `{}`", op->name, a.name),
                   suggestion.empty() ? fmt::format("it takes {}", signature(*op))
                                      : fmt::format("did you mean `{}`?", suggestion));
      ok = false;
    }
  }

  // After a binding error, "missing argument" messages would only repeat it.
  const bool binding_ok = ok;
  // Inputs first, so that errors inside nested calls come before errors about this call.
  ops::LayerContext ctx;
  std::vector<int> input_ids;
  for (size_t i = 0; i < op->inputs.size(); ++i) {
    int id = -1;
    if (i == 0 && implicit_input >= 0) {
      id = implicit_input;
    } else if (b.inputs[i] != nullptr) {
      id = tensor(*b.inputs[i], g, prefix);
    } else if (binding_ok) {
      diags_.error(name_loc, fmt::format("`{}` needs its input `{}`", op->name, op->inputs[i].name),
                   fmt::format("it takes {}", signature(*op)));
    }
    if (id < 0) {
      ok = false;
      continue;
    }
    input_ids.push_back(id);
    ctx.inputs.push_back((*g.nodes)[id].shape);
    ctx.input_ops.push_back((*g.nodes)[id].op);
  }

  const Expr* network = nullptr;
  std::string network_arg;
  for (size_t i = 0; i < op->args.size(); ++i) {
    const ops::ArgDef& def = op->args[i];
    if (def.type == ops::ArgType::Network) {
      network = b.args[i];
      network_arg = def.name;
      if (network == nullptr) {
        if (binding_ok) {
          diags_.error(name_loc, fmt::format("`{}` needs `{}`", op->name, def.name),
                       fmt::format("it takes {}", signature(*op)));
        }
        ok = false;
      }
      continue;
    }
    std::optional<ops::AttrValue> value;
    if (b.args[i] != nullptr) {
      value = eval_value(*b.args[i], def, env_);
    } else if (def.default_value) {
      value = def.default_value;
    } else if (binding_ok) {
      diags_.error(name_loc, fmt::format("`{}` needs `{}`", op->name, def.name),
                   fmt::format("it takes {}", signature(*op)));
    }
    if (!value) {
      ok = false;
      continue;
    }
    ctx.attrs.emplace_back(def.name, *value);
  }
  if (!ok) return -1;

  LayerNode node;
  node.name = generated_name(g, prefix, op->name);
  node.op = op->name;
  node.inputs = input_ids;
  node.loc = name_loc;
  for (const auto& [key, value] : ctx.attrs) node.attrs[key] = value;

  if (network != nullptr) {
    const int64_t replicas = op->subnetwork_replicas_arg.empty() ? 1 : ctx.int_attr(op->subnetwork_replicas_arg);
    SubNetwork sub;
    if (!subnetwork(*network, *op, network_arg, replicas, op->subnetwork_input(ctx), node.name + "/" + network_arg,
                    g, sub)) {
      return -1;
    }
    ctx.subnetwork_output = sub.nodes.back().shape;
    node.subnetworks.push_back(std::move(sub));
  }

  auto where = [&](const std::string& at) -> SourceLoc {
    if (at.rfind("input", 0) == 0 && at.size() > 5) {
      size_t k = static_cast<size_t>(at[5] - '0');
      if (k < b.inputs.size() && b.inputs[k] != nullptr) return b.inputs[k]->loc;
      return name_loc;
    }
    for (size_t i = 0; i < op->args.size(); ++i) {
      if (op->args[i].name == at) return b.arg_locs[i];
    }
    return name_loc;
  };
  ops::ShapeResult r = op->shape_rule(ctx);
  for (const ops::RuleError& w : r.warnings) diags_.warning(where(w.at), w.message, w.hint);
  for (const ops::RuleError& err : r.errors) diags_.error(where(err.at), err.message, err.hint);
  if (!r.errors.empty() || !r.shape) return -1;
  node.shape = *r.shape;
  if (op->param_rule) {
    for (const ops::ParamDef& p : op->param_rule(ctx)) {
      node.params.push_back({p.name, p.shape, p.init, p.trainable});
    }
  }
  int id = add_node(g, std::move(node));
  return within_budget(name_loc) ? id : -1;
}

}  // namespace ynet::sema

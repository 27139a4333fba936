#include "compiler/sema/model_checker.h"

#include <algorithm>
#include <tuple>

#include <fmt/format.h>

#include "compiler/sema/graph_builder.h"

namespace ynet::sema {

using syntax::Argument;
using syntax::Expr;
using syntax::Item;
using syntax::SourceLoc;

namespace {

class ModelChecker {
 public:
  ModelChecker(ParamTable& params, syntax::DiagnosticSink& diags, CheckedModel& model)
      : params_(params), diags_(diags), model_(model), env_{params, diags, {}, 0, {}, {}, {}, 0}, builder_(env_, diags) {
    graph_.nodes = &model_.nodes;
  }

  void run(const Item& block, bool trained) {
    // Inputs and labels first: they are nodes 0 and 1 wherever they are declared.
    for (const Item& it : block.body) {
      if (it.kind == Item::Kind::Input) input(it);
      if (it.kind == Item::Kind::Labels) labels(it);
    }
    for (const Item& it : block.body) {
      switch (it.kind) {
        case Item::Kind::Assign: assign(it); break;
        case Item::Kind::Loss: loss(it); break;
        case Item::Kind::Output: output(it); break;
        case Item::Kind::Input:
        case Item::Kind::Labels: break;
        default:
          diags_.error(it.loc, fmt::format("`{}` is not allowed inside a model block", item_kind_name(it.kind)),
                       "params, models and the train block are declared at the top level");
      }
    }
    finish(block, trained);
  }

 private:
  bool define(const std::string& name, SourceLoc loc) {
    auto it = graph_.scope.find(name);
    if (it != graph_.scope.end()) {
      diags_.error(loc, fmt::format("`{}` is already defined", name),
                   fmt::format("first defined on line {}; tensors are named once", it->second.loc.line));
      return false;
    }
    if (params_.find(name) != nullptr) {
      diags_.error(loc, fmt::format("`{}` is already a param", name), "give the tensor another name");
      return false;
    }
    return true;
  }

  void bind(const std::string& name, int node, SourceLoc loc) {
    graph_.scope[name] = TensorEntry{node, loc, false};
    env_.tensor_names.push_back(name);
  }

  // Evaluates keyword options of `frames(...)`, `video(...)` and `multilabel(...)`.
  std::optional<ops::AttrValue> option(const Argument& a, const ops::ArgDef& def) {
    return eval_value(*a.value, def, env_);
  }

  void input(const Item& it) {
    if (!define(it.name, it.name_loc)) return;
    const Expr& call = *it.value;
    if (call.text != "frames" && call.text != "video") {
      std::string suggestion = syntax::closest_match(call.text, {"frames", "video"});
      diags_.error(call.name_loc, fmt::format("unknown input kind `{}`", call.text),
                   suggestion.empty() ? "inputs are `frames(...)` (frame level) or `video(...)` (video level)"
                                      : fmt::format("did you mean `{}`?", suggestion));
      bind(it.name, -1, it.name_loc);
      return;
    }
    if (has_input_) {
      diags_.error(it.name_loc, "a model has one `input`",
                   "list every feature in one declaration: `frames(rgb: 1024, audio: 128)`");
      bind(it.name, -1, it.name_loc);
      return;
    }
    has_input_ = true;
    InputSpec& spec = model_.input;
    spec.tensor = it.name;
    spec.level = call.text == "frames" ? InputSpec::Level::Frame : InputSpec::Level::Video;
    const bool frames = spec.level == InputSpec::Level::Frame;
    const ops::ArgDef size_def{"feature size", ops::ArgType::Int, std::nullopt, ops::Range{1.0, 16777216.0}, {}, ""};
    const ops::ArgDef frames_def{"max_frames", ops::ArgType::Int, std::nullopt, ops::Range{1.0, 100000.0}, {}, ""};
    const ops::ArgDef skip_def{"skip_frames", ops::ArgType::Int, std::nullopt, ops::Range{0.0, 100000.0}, {}, ""};
    const ops::ArgDef norm_def{"normalize", ops::ArgType::Choice, std::nullopt, {}, {"none", "l2"}, ""};
    const ops::ArgDef key_def{"id_key", ops::ArgType::Choice, std::nullopt, {}, {}, ""};
    bool ok = true;
    for (const Argument& a : call.args) {
      if (a.name.empty()) {
        diags_.error(a.value->loc, "input features are named", "for example `frames(rgb: 1024, audio: 128)`");
        ok = false;
        continue;
      }
      std::optional<ops::AttrValue> v;
      if (a.name == "max_frames" || a.name == "skip_frames") {
        if (!frames) {
          diags_.error(a.name_loc, fmt::format("`{}` applies to frame-level inputs only", a.name),
                       "video-level inputs have one vector per video");
          ok = false;
          continue;
        }
        v = option(a, a.name == "max_frames" ? frames_def : skip_def);
        if (v) (a.name == "max_frames" ? spec.max_frames : spec.skip_frames) = std::get<int64_t>(*v);
      } else if (a.name == "normalize") {
        if ((v = option(a, norm_def))) spec.normalize = std::get<std::string>(*v);
      } else if (a.name == "id_key") {
        if ((v = option(a, key_def))) spec.id_key = std::get<std::string>(*v);
      } else {
        for (const FeatureSpec& f : spec.features) {
          if (f.name == a.name) {
            diags_.error(a.name_loc, fmt::format("feature `{}` is listed twice", a.name));
            ok = false;
          }
        }
        if ((v = option(a, size_def))) spec.features.push_back({a.name, std::get<int64_t>(*v)});
      }
      ok = ok && v.has_value();
    }
    if (ok && spec.feature_size() > 16777216) {
      diags_.error(call.loc, fmt::format("the input has {} features; at most 16777216 are supported",
                                         spec.feature_size()));
      ok = false;
    }
    if (ok && spec.features.empty()) {
      diags_.error(call.loc, "the input has no features",
                   frames ? "for example `frames(rgb: 1024, audio: 128)`"
                          : "for example `video(mean_rgb: 1024, mean_audio: 128)`");
      ok = false;
    }
    if (!ok) {
      bind(it.name, -1, it.name_loc);
      return;
    }
    env_.input_name = it.name;
    for (const FeatureSpec& f : spec.features) env_.input_features.emplace_back(f.name, f.size);
    LayerNode node;
    node.name = it.name;
    node.op = "Input";
    node.loc = it.name_loc;
    node.attrs["level"] = std::string(frames ? "frame" : "video");
    node.attrs["normalize"] = spec.normalize;
    if (frames) {
      node.attrs["max_frames"] = spec.max_frames;
      node.attrs["skip_frames"] = spec.skip_frames;
      node.shape = {Dim::batch(), Dim::time(spec.max_frames), Dim::constant(spec.feature_size())};
    } else {
      node.shape = {Dim::batch(), Dim::constant(spec.feature_size())};
    }
    bind(it.name, builder_.add_node(graph_, std::move(node)), it.name_loc);
  }

  void labels(const Item& it) {
    if (!define(it.name, it.name_loc)) return;
    const Expr& call = *it.value;
    if (call.text != "multilabel") {
      std::string suggestion = syntax::closest_match(call.text, {"multilabel"});
      diags_.error(call.name_loc, fmt::format("unknown label kind `{}`", call.text),
                   suggestion.empty() ? "labels are `multilabel(classes)`" : fmt::format("did you mean `{}`?", suggestion));
      bind(it.name, -1, it.name_loc);
      return;
    }
    if (has_labels_) {
      diags_.error(it.name_loc, "a model has one `labels` declaration");
      bind(it.name, -1, it.name_loc);
      return;
    }
    const ops::ArgDef classes_def{"classes", ops::ArgType::Int, std::nullopt, ops::Range{1.0, 16777216.0}, {}, ""};
    const ops::ArgDef key_def{"key", ops::ArgType::Choice, std::nullopt, {}, {}, ""};
    LabelSpec& spec = model_.labels;
    bool ok = true, have_classes = false;
    for (size_t i = 0; i < call.args.size(); ++i) {
      const Argument& a = call.args[i];
      const bool is_classes = a.name == "classes" || (a.name.empty() && i == 0);
      if (!is_classes && a.name != "key") {
        diags_.error(a.name.empty() ? a.value->loc : a.name_loc,
                     a.name.empty() ? "unexpected argument" : fmt::format("`multilabel` has no argument `{}`", a.name),
                     "write `multilabel(4716)` or `multilabel(classes: 4716, key: labels)`");
        ok = false;
        continue;
      }
      std::optional<ops::AttrValue> v = option(a, is_classes ? classes_def : key_def);
      if (!v) {
        ok = false;
      } else if (is_classes) {
        spec.classes = std::get<int64_t>(*v);
        have_classes = true;
      } else {
        spec.key = std::get<std::string>(*v);
      }
    }
    if (ok && !have_classes) {
      diags_.error(call.name_loc, "`multilabel` needs the number of classes", "for example `multilabel(4716)`");
      ok = false;
    }
    if (!ok) {
      bind(it.name, -1, it.name_loc);
      return;
    }
    has_labels_ = true;
    spec.tensor = it.name;
    env_.labels_name = it.name;
    env_.labels_classes = spec.classes;
    LayerNode node;
    node.name = it.name;
    node.op = "Labels";
    node.loc = it.name_loc;
    node.shape = {Dim::batch(), Dim::constant(spec.classes)};
    bind(it.name, builder_.add_node(graph_, std::move(node)), it.name_loc);
  }

  void assign(const Item& it) {
    if (!define(it.name, it.name_loc)) return;
    const size_t first_new = model_.nodes.size();
    int id = builder_.tensor(*it.value, graph_, it.name);
    if (id >= 0 && static_cast<size_t>(id) >= first_new) model_.nodes[id].name = it.name;
    bind(it.name, id, it.name_loc);
  }

  void loss(const Item& it) {
    int id = builder_.tensor(*it.value, graph_, "loss");
    if (id < 0) return;
    const Shape& s = model_.nodes[id].shape;
    if (!ops::is_scalar(s)) {
      diags_.error(it.value->loc, fmt::format("a loss must be a scalar; this is {} {}", ops::rank_name(s),
                                              ops::shape_to_string(s)),
                   "compute one with `SigmoidCrossEntropy(logits, labels)`");
      return;
    }
    model_.losses.push_back(id);
  }

  void output(const Item& it) {
    int id = builder_.tensor(*it.value, graph_, "output");
    if (id < 0) return;
    const Shape& s = model_.nodes[id].shape;
    if (!ops::is_vector(s)) {
      diags_.error(it.value->loc, fmt::format("an output must be a vector [B, C]; this is {} {}", ops::rank_name(s),
                                              ops::shape_to_string(s)),
                   "output per-class scores, e.g. `output Sigmoid(logits)`");
      return;
    }
    model_.outputs.push_back(id);
  }

  void finish(const Item& block, bool trained) {
    if (!has_input_ && !diags_.has_errors()) {
      diags_.error(block.name_loc, fmt::format("model `{}` has no `input`", block.name),
                   "declare one, e.g. `input video = frames(rgb: 1024, audio: 128)`");
    }
    if (trained && model_.losses.empty() && !diags_.has_errors()) {
      diags_.error(block.name_loc, fmt::format("model `{}` is trained but has no `loss`", block.name),
                   "add one, e.g. `loss SigmoidCrossEntropy(logits, target)`");
    }
    // After an error, unused tensors are mostly consequences of the failed definitions.
    std::vector<std::pair<std::string, SourceLoc>> unused;
    for (const auto& [name, entry] : graph_.scope) {
      if (entry.node >= 0 && !entry.used && !diags_.has_errors()) unused.emplace_back(name, entry.loc);
    }
    std::sort(unused.begin(), unused.end(), [](const auto& a, const auto& b) {
      return std::tie(a.second.file, a.second.line, a.second.column) <
             std::tie(b.second.file, b.second.line, b.second.column);
    });
    for (const auto& [name, loc] : unused) {
      diags_.warning(loc, fmt::format("tensor `{}` is never used", name),
                     "use it, or remove it; only what feeds a `loss` or an `output` is computed");
    }
    if (model_.outputs.empty() && !diags_.has_errors()) {
      diags_.warning(block.name_loc, fmt::format("model `{}` has no `output`", block.name),
                     "eval and predict need one, e.g. `output Sigmoid(logits)`");
    }
  }

  ParamTable& params_;
  syntax::DiagnosticSink& diags_;
  CheckedModel& model_;
  ValueEnv env_;
  GraphBuilder builder_;
  Graph graph_;
  bool has_input_ = false;
  bool has_labels_ = false;
};

}  // namespace

void check_model(const Item& block, bool trained, ParamTable& params, syntax::DiagnosticSink& diags,
                 CheckedModel& model) {
  model.name = block.name;
  ModelChecker(params, diags, model).run(block, trained);
}

}  // namespace ynet::sema

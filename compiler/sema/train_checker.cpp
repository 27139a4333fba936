#include "compiler/sema/train_checker.h"

#include <fmt/format.h>

namespace ynet::sema {

using syntax::Argument;
using syntax::Expr;

namespace {

const std::vector<std::string>& setting_names() {
  static const std::vector<std::string> names{"batch", "optimizer", "schedule", "steps",
                                              "clip_norm", "clip", "eval_every", "seed"};
  return names;
}

class TrainChecker {
 public:
  TrainChecker(ParamTable& params, syntax::DiagnosticSink& diags, TrainConfig& out)
      : diags_(diags), out_(out), env_{params, diags, {}, 0, {}, {}, {}, 0} {}

  void run(const syntax::Item& block) {
    out_.declared = true;
    std::map<std::string, const Argument*> given;
    for (const Argument& s : block.settings) {
      if (given.count(s.name) > 0) {
        diags_.error(s.name_loc, fmt::format("`{}` is set twice", s.name),
                     fmt::format("first set on line {}", given[s.name]->name_loc.line));
        continue;
      }
      bool known = false;
      for (const std::string& n : setting_names()) known = known || n == s.name;
      if (!known) {
        std::string suggestion = syntax::closest_match(s.name, setting_names());
        diags_.error(s.name_loc, fmt::format("unknown train setting `{}`", s.name),
                     suggestion.empty() ? fmt::format("settings: {}", fmt::join(setting_names(), ", "))
                                        : fmt::format("did you mean `{}`?", suggestion));
        continue;
      }
      given[s.name] = &s;
    }
    // The batch first: `N steps` in a schedule converts to samples with it.
    if (auto* s = given["batch"]) integer(*s, out_.batch, ops::Range{1.0, 1e7});
    env_.batch = out_.batch;
    if (auto* s = given["steps"]) integer(*s, out_.steps, ops::Range{1.0, 1e12});
    if (auto* s = given["eval_every"]) integer(*s, out_.eval_every, ops::Range{1.0, 1e12});
    if (auto* s = given["seed"]) integer(*s, out_.seed, ops::Range{0.0, 9e15});
    if (auto* s = given["clip_norm"]) {
      ops::ArgDef def{"clip_norm", ops::ArgType::Float, std::nullopt, ops::Range{0.0, std::nullopt}, {}, ""};
      if (auto v = eval_value(*s->value, def, env_)) out_.clip_norm = std::get<double>(*v);
    }
    if (auto* s = given["clip"]) {
      ops::ArgDef def{"clip", ops::ArgType::Choice, std::nullopt, {}, {"per_tensor", "global"}, ""};
      if (auto v = eval_value(*s->value, def, env_)) out_.clip = std::get<std::string>(*v);
    }
    if (auto* s = given["optimizer"]) config(*s->value, "optimizer", out_.optimizer);
    else defaults(out_.optimizer);
    if (auto* s = given["schedule"]) config(*s->value, "schedule", out_.schedule);
    else defaults(out_.schedule);
  }

 private:
  // Whole numbers of steps; `100k steps` reads well and is accepted, samples are not.
  void integer(const Argument& s, int64_t& target, ops::Range range) {
    const Expr& e = *s.value;
    if (e.kind == Expr::Kind::Number && e.unit == "samples") {
      diags_.error(e.unit_loc, fmt::format("`{}` counts steps, not samples", s.name), "drop the unit or write `steps`");
      return;
    }
    Expr plain;
    const Expr* value = &e;
    if (e.kind == Expr::Kind::Number && !e.unit.empty()) {
      plain.kind = Expr::Kind::Number;
      plain.loc = e.loc;
      plain.number = e.number;
      value = &plain;
    }
    ops::ArgDef def{s.name, ops::ArgType::Int, std::nullopt, range, {}, ""};
    if (auto v = eval_value(*value, def, env_)) target = std::get<int64_t>(*v);
  }

  static void defaults(NamedConfig& c) {
    if (const ops::OpDef* op = ops::find_op(c.name)) {
      for (const ops::ArgDef& a : op->args) {
        if (a.default_value) c.args[a.name] = *a.default_value;
      }
    }
  }

  void config(const Expr& e, const std::string& category, NamedConfig& out) {
    if (e.kind != Expr::Kind::Call && !(e.kind == Expr::Kind::Name && e.members.empty())) {
      diags_.error(e.loc, fmt::format("`{}` needs a call such as `{}`, found {}", category,
                                      category == "optimizer" ? "RMSProp(lr: 1e-4)" : "StepDecay(every: 10M samples)",
                                      describe_expr(e)));
      return;
    }
    const syntax::SourceLoc name_loc = e.kind == Expr::Kind::Call ? e.name_loc : e.loc;
    const ops::OpDef* op = ops::find_op(e.text);
    if (op == nullptr || op->category != category) {
      std::vector<std::string> names;
      for (const ops::OpDef* o : ops::ops_in_category(category)) names.push_back(o->name);
      std::string suggestion = syntax::closest_match(e.text, names);
      diags_.error(name_loc, fmt::format("unknown {} `{}`", category, e.text),
                   suggestion.empty() ? fmt::format("choose one of {}", fmt::join(names, ", "))
                                      : fmt::format("did you mean `{}`?", suggestion));
      return;
    }
    std::vector<const Expr*> values(op->args.size(), nullptr);
    size_t next = 0;
    bool ok = true;
    for (const Argument& a : e.args) {
      size_t index = op->args.size();
      if (a.name.empty()) {
        index = next++;
        if (index >= op->args.size()) {
          diags_.error(a.value->loc, fmt::format("too many arguments for `{}`", op->name),
                       fmt::format("it takes {}", signature(*op)));
          ok = false;
          continue;
        }
      } else {
        for (size_t i = 0; i < op->args.size(); ++i) {
          if (op->args[i].name == a.name) index = i;
        }
        if (index == op->args.size()) {
          std::vector<std::string> names;
          for (const ops::ArgDef& d : op->args) names.push_back(d.name);
          std::string suggestion = syntax::closest_match(a.name, names);
          diags_.error(a.name_loc, fmt::format("`{}` has no argument `{}`", op->name, a.name),
                       suggestion.empty() ? fmt::format("it takes {}", signature(*op))
                                          : fmt::format("did you mean `{}`?", suggestion));
          ok = false;
          continue;
        }
      }
      if (values[index] != nullptr) {
        diags_.error(a.name.empty() ? a.value->loc : a.name_loc,
                     fmt::format("argument `{}` is given twice", op->args[index].name));
        ok = false;
        continue;
      }
      values[index] = a.value.get();
    }
    NamedConfig result{op->name, {}};
    for (size_t i = 0; i < op->args.size(); ++i) {
      const ops::ArgDef& def = op->args[i];
      std::optional<ops::AttrValue> v;
      if (values[i] != nullptr) {
        v = eval_value(*values[i], def, env_);
      } else if (def.default_value) {
        v = def.default_value;
      } else {
        diags_.error(name_loc, fmt::format("`{}` needs `{}`", op->name, def.name),
                     fmt::format("it takes {}", signature(*op)));
      }
      if (!v) {
        ok = false;
        continue;
      }
      result.args[def.name] = *v;
    }
    if (ok) out = std::move(result);
  }

  syntax::DiagnosticSink& diags_;
  TrainConfig& out_;
  ValueEnv env_;
};

}  // namespace

void check_train(const syntax::Item& block, ParamTable& params, syntax::DiagnosticSink& diags, TrainConfig& out) {
  TrainChecker(params, diags, out).run(block);
}

std::vector<TrainSettingDoc> train_setting_docs() {
  const TrainConfig d;
  return {
      {"batch", "integer", std::to_string(d.batch), "videos per training step"},
      {"optimizer", "call", "RMSProp()", "one of the optimizers below, with its arguments"},
      {"schedule", "call", "Constant()", "one of the learning-rate schedules below"},
      {"steps", "integer", std::to_string(d.steps), "training steps (`100k` or `100k steps`)"},
      {"clip_norm", "number", fmt::format("{:g}", d.clip_norm), "gradient clipping norm; 0 disables clipping"},
      {"clip", "per_tensor|global", d.clip, "clip each gradient tensor (as the starter code does) or their global norm"},
      {"eval_every", "integer", std::to_string(d.eval_every), "steps between evaluations"},
      {"seed", "integer", std::to_string(d.seed), "seed of initialization, shuffling and dropout"},
  };
}

}  // namespace ynet::sema

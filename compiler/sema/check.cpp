#include <algorithm>
#include <cmath>
#include <tuple>

#include <fmt/format.h>

#include "compiler/sema/checked_model.h"
#include "compiler/sema/size_limits.h"
#include "compiler/sema/model_checker.h"
#include "compiler/sema/train_checker.h"
#include "compiler/sema/values.h"
#include "compiler/syntax/parser.h"

namespace ynet::sema {

using syntax::Expr;
using syntax::Item;

int64_t InputSpec::feature_size() const {
  int64_t n = 0;
  for (const FeatureSpec& f : features) n += f.size;
  return n;
}

namespace {

int64_t count_params(const std::vector<LayerNode>& nodes, bool trainable) {
  int64_t n = 0;
  for (const LayerNode& node : nodes) {
    for (const ParamInfo& p : node.params) {
      if (p.trainable != trainable) continue;
      int64_t size = 1;
      for (int64_t d : p.shape) size *= d;
      n += size;
    }
    for (const SubNetwork& sub : node.subnetworks) n += count_params(sub.nodes, trainable);
  }
  return n;
}

// A param's value is a literal: a number, true/false, a word or a string.
void declare_param(const Item& it, ParamTable& params, syntax::DiagnosticSink& diags) {
  if (const ParamEntry* earlier = params.find(it.name)) {
    diags.error(it.name_loc, fmt::format("param `{}` is declared twice", it.name),
                fmt::format("first declared on line {}", earlier->loc.line));
    return;
  }
  const Expr& e = *it.value;
  ParamEntry p;
  p.name = it.name;
  p.loc = it.name_loc;
  if (e.kind == Expr::Kind::Number && e.unit.empty()) {
    if (!std::isfinite(e.number)) {
      diags.error(e.loc, fmt::format("`{}` is too large for a number (the largest is about 1.8e308)", e.text));
      return;
    }
    p.kind = ParamEntry::Kind::Number;
    p.number = e.number;
  } else if (e.kind == Expr::Kind::Bool) {
    p.kind = ParamEntry::Kind::Bool;
    p.boolean = e.boolean;
  } else if ((e.kind == Expr::Kind::Name && e.members.empty()) || e.kind == Expr::Kind::String) {
    p.kind = ParamEntry::Kind::Word;
    p.word = e.text;
  } else {
    diags.error(e.loc, fmt::format("a param's value must be a number, true/false or a word; found {}",
                                   describe_expr(e)));
    return;
  }
  params.add(std::move(p));
}

// Applies --set overrides; returns a usage error message, or "".
std::string apply_overrides(const std::vector<std::pair<std::string, std::string>>& overrides, ParamTable& params) {
  for (const auto& [key, text] : overrides) {
    ParamEntry* p = params.find(key);
    if (p == nullptr) {
      std::string suggestion = syntax::closest_match(key, params.names());
      std::string message = fmt::format("--set {}={}: the spec has no param `{}`", key, text, key);
      if (!suggestion.empty()) return message + fmt::format("; did you mean `{}`?", suggestion);
      if (params.names().empty()) return message + " (it declares no params)";
      return message + fmt::format(" (params: {})", fmt::join(params.names(), ", "));
    }
    std::optional<ParamEntry> v = parse_param_text(text);
    if (!v || v->kind != p->kind) {
      return fmt::format("--set {}={}: `{}` is {}, as declared on line {}", key, text, key, p->kind_name(),
                         p->loc.line);
    }
    v->name = p->name;
    v->loc = p->loc;
    v->override_text = fmt::format("--set {}={}", key, text);
    *p = std::move(*v);
  }
  return {};
}

}  // namespace

int64_t CheckedModel::trainable_params() const { return count_params(nodes, true); }
int64_t CheckedModel::non_trainable_params() const { return count_params(nodes, false); }

bool CheckResult::has_errors() const {
  if (!usage_error.empty()) return true;
  for (const syntax::Diagnostic& d : diagnostics) {
    if (d.severity == syntax::Severity::Error) return true;
  }
  return false;
}

CheckResult check_source(const std::string& path, const std::string& text,
                         const std::vector<std::pair<std::string, std::string>>& overrides, int64_t batch) {
  CheckResult result;
  result.sources = std::make_shared<syntax::SourceManager>();
  syntax::DiagnosticSink diags;
  std::vector<Item> items = syntax::load_spec(path, text, *result.sources, diags);
  if (diags.has_errors()) {
    result.diagnostics = diags.take();
    return result;
  }

  ParamTable params;
  const Item* model = nullptr;
  const Item* train = nullptr;
  for (const Item& it : items) {
    switch (it.kind) {
      case Item::Kind::Param: declare_param(it, params, diags); break;
      case Item::Kind::Model:
        if (model != nullptr) {
          diags.error(it.name_loc, "a spec file holds one model",
                      fmt::format("`{}` is declared on line {}; put each model in its own file and share "
                                  "common parts with `include`", model->name, model->name_loc.line));
        } else {
          model = &it;
        }
        break;
      case Item::Kind::Train:
        if (train != nullptr) {
          diags.error(it.loc, "a spec has one `train` block", fmt::format("the first is on line {}", train->loc.line));
        } else {
          train = &it;
        }
        break;
      default:
        diags.error(it.loc, fmt::format("`{}` is only allowed inside a model block", item_kind_name(it.kind)),
                    "write it between `model Name {` and `}`");
    }
  }
  if (diags.has_errors()) {
    result.diagnostics = diags.take();
    return result;
  }
  result.usage_error = apply_overrides(overrides, params);
  if (!result.usage_error.empty()) return result;
  if (model == nullptr) {
    diags.error({0, 1, 1, 1}, "the spec declares no model", "a spec holds `model Name { ... }`");
    result.diagnostics = diags.take();
    return result;
  }

  CheckedModel checked;
  checked.source_path = path;
  check_model(*model, train != nullptr, params, diags, checked);
  if (train != nullptr) check_train(*train, params, diags, checked.train);
  if (!diags.has_errors()) {
    if (const auto problem = find_size_problem(checked, batch > 0 ? batch : checked.train.batch))
      diags.error(problem->loc, problem->message, problem->hint);
  }
  for (const ParamEntry& p : params.entries()) {
    checked.params[p.name] = p.as_attr();
    if (!p.used && !diags.has_errors()) diags.warning(p.loc, fmt::format("param `{}` is never used", p.name));
  }
  if (!diags.has_errors()) result.model = std::move(checked);
  result.diagnostics = diags.take();
  // Reading order: by file, then position; checks that run per construct would otherwise interleave.
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(),
                   [](const syntax::Diagnostic& a, const syntax::Diagnostic& b) {
                     return std::tie(a.loc.file, a.loc.line, a.loc.column) <
                            std::tie(b.loc.file, b.loc.line, b.loc.column);
                   });
  return result;
}

CheckResult check_file(const std::string& path, const std::vector<std::pair<std::string, std::string>>& overrides,
                       int64_t batch) {
  std::string text, error;
  if (!syntax::read_file(path, text, error)) {
    CheckResult result;
    result.sources = std::make_shared<syntax::SourceManager>();
    result.diagnostics.push_back({syntax::Severity::Error, {}, fmt::format("cannot read `{}`: {}", path, error), {}});
    return result;
  }
  return check_source(path, text, overrides, batch);
}

}  // namespace ynet::sema

#include "compiler/sema/values.h"

#include <cmath>
#include <cctype>

#include <fmt/format.h>

#include "compiler/syntax/build_ast.h"

namespace ynet::sema {

using syntax::Expr;

ops::AttrValue ParamEntry::as_attr() const {
  switch (kind) {
    case Kind::Bool: return boolean;
    case Kind::Word: return word;
    case Kind::Number:
      if (std::floor(number) == number && std::fabs(number) < 9.0e18) return static_cast<int64_t>(number);
      return number;
  }
  return number;
}

std::string ParamEntry::kind_name() const {
  return kind == Kind::Number ? "a number" : kind == Kind::Bool ? "true or false" : "a word";
}

ParamEntry* ParamTable::find(const std::string& name) {
  for (ParamEntry& p : entries_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

const ParamEntry* ParamTable::find(const std::string& name) const {
  return const_cast<ParamTable*>(this)->find(name);
}

std::vector<std::string> ParamTable::names() const {
  std::vector<std::string> out;
  for (const ParamEntry& p : entries_) out.push_back(p.name);
  return out;
}

namespace {

// The language's number literal: -?DIGITS(.DIGITS)?([eE][+-]?DIGITS)?[kMG]?
bool is_number_literal(const std::string& t) {
  size_t i = 0;
  auto digits = [&] {
    size_t start = i;
    while (i < t.size() && std::isdigit(static_cast<unsigned char>(t[i]))) ++i;
    return i > start;
  };
  if (i < t.size() && t[i] == '-') ++i;
  if (!digits()) return false;
  if (i < t.size() && t[i] == '.') {
    ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'e' || t[i] == 'E')) {
    ++i;
    if (i < t.size() && (t[i] == '+' || t[i] == '-')) ++i;
    if (!digits()) return false;
  }
  if (i < t.size() && (t[i] == 'k' || t[i] == 'M' || t[i] == 'G')) ++i;
  return i == t.size();
}

bool is_word(const std::string& t) {
  if (t.empty() || std::isdigit(static_cast<unsigned char>(t[0]))) return false;
  for (char c : t) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return false;
  }
  return true;
}

}  // namespace

std::optional<ParamEntry> parse_param_text(const std::string& text) {
  ParamEntry p;
  if (text == "true" || text == "false") {
    p.kind = ParamEntry::Kind::Bool;
    p.boolean = text == "true";
  } else if (text.size() < 64 && is_number_literal(text)) {
    p.kind = ParamEntry::Kind::Number;
    p.number = syntax::number_value(text);
    if (!std::isfinite(p.number)) return std::nullopt;
  } else if (text.size() < 256 && is_word(text)) {
    p.kind = ParamEntry::Kind::Word;
    p.word = text;
  } else {
    return std::nullopt;
  }
  return p;
}

std::string describe_expr(const Expr& e) {
  switch (e.kind) {
    case Expr::Kind::Number: return e.unit.empty() ? "a number" : "a count of " + e.unit;
    case Expr::Kind::String: return "a string";
    case Expr::Kind::Bool: return "a bool";
    case Expr::Kind::Name: return e.members.empty() ? fmt::format("the name `{}`", e.text) : "a member";
    case Expr::Kind::Call: return fmt::format("a call of `{}`", e.text);
    case Expr::Kind::Pipeline: return "a pipeline";
    case Expr::Kind::Network: return "a sub-network";
    case Expr::Kind::Repeat: return "a repeat block";
  }
  return "an expression";
}

std::string signature(const ops::OpDef& op) {
  std::vector<std::string> parts;
  for (const ops::InputDef& in : op.inputs) parts.push_back(in.name);
  for (const ops::ArgDef& a : op.args) {
    std::string type = a.type == ops::ArgType::Choice ? fmt::format("{}", fmt::join(a.choices, "|"))
                                                     : ops::arg_type_name(a.type);
    if (a.default_value) {
      parts.push_back(fmt::format("{}: {} = {}", a.name, type, ops::attr_to_string(*a.default_value)));
    } else {
      parts.push_back(fmt::format("{}: {}", a.name, type));
    }
  }
  return fmt::format("{}({})", op.name, fmt::join(parts, ", "));
}

namespace {

// Where a value came from, for messages about values that reach a use through a param.
struct Resolved {
  enum class Kind { Number, Bool, Word, None } kind = Kind::None;
  double number = 0;
  bool boolean = false;
  std::string word;
  std::string unit;
  const ParamEntry* param = nullptr;
};

std::string origin(const Resolved& r) {
  if (r.param == nullptr) return {};
  if (!r.param->override_text.empty()) return fmt::format(" (from {})", r.param->override_text);
  return fmt::format(" (from param `{}`)", r.param->name);
}

class Evaluator {
 public:
  Evaluator(const Expr& e, const ops::ArgDef& arg, ValueEnv& env) : e_(e), arg_(arg), env_(env) {}

  std::optional<ops::AttrValue> run() {
    std::optional<Resolved> r = resolve();
    if (!r) return std::nullopt;
    switch (arg_.type) {
      case ops::ArgType::Int: return integer(*r);
      case ops::ArgType::Float: return real(*r);
      case ops::ArgType::Bool: return boolean(*r);
      case ops::ArgType::Choice: return choice(*r);
      case ops::ArgType::Samples: return samples(*r);
      case ops::ArgType::Network: break;
    }
    return std::nullopt;
  }

 private:
  std::optional<Resolved> resolve() {
    Resolved r;
    switch (e_.kind) {
      case Expr::Kind::Number:
        // 1e400 reads as infinity: a learning rate of infinity would pass every range check.
        if (!std::isfinite(e_.number)) {
          env_.diags.error(e_.loc, fmt::format("`{}` is too large for a number (the largest is about 1.8e308)", e_.text));
          return std::nullopt;
        }
        r.kind = Resolved::Kind::Number;
        r.number = e_.number;
        r.unit = e_.unit;
        return r;
      case Expr::Kind::Bool:
        r.kind = Resolved::Kind::Bool;
        r.boolean = e_.boolean;
        return r;
      case Expr::Kind::String:
        r.kind = Resolved::Kind::Word;
        r.word = e_.text;
        return r;
      case Expr::Kind::Name: return resolve_name();
      default: break;
    }
    env_.diags.error(e_.loc, fmt::format("`{}` needs {}, found {}", arg_.name, wanted(), describe_expr(e_)));
    return std::nullopt;
  }

  std::optional<Resolved> resolve_name() {
    Resolved r;
    if (!e_.members.empty()) {
      if (e_.text == env_.labels_name && !env_.labels_name.empty() && e_.members.size() == 1 &&
          e_.members[0] == "classes") {
        r.kind = Resolved::Kind::Number;
        r.number = static_cast<double>(env_.labels_classes);
        return r;
      }
      if (e_.text == env_.labels_name && !env_.labels_name.empty()) {
        std::string suggestion = syntax::closest_match(e_.members[0], {"classes"});
        env_.diags.error(e_.member_locs[0], fmt::format("labels `{}` have no member `{}`", e_.text, e_.members[0]),
                         suggestion.empty() ? "the labels have one member: `classes`"
                                            : fmt::format("did you mean `{}`?", suggestion));
        return std::nullopt;
      }
      env_.diags.error(e_.name_loc, fmt::format("`{}` has no members", e_.text),
                       env_.labels_name.empty() ? "" : fmt::format("`{}.classes` is the class count", env_.labels_name));
      return std::nullopt;
    }
    if (ParamEntry* p = env_.params.find(e_.text)) {
      p->used = true;
      r.param = p;
      switch (p->kind) {
        case ParamEntry::Kind::Number: r.kind = Resolved::Kind::Number; r.number = p->number; break;
        case ParamEntry::Kind::Bool: r.kind = Resolved::Kind::Bool; r.boolean = p->boolean; break;
        case ParamEntry::Kind::Word: r.kind = Resolved::Kind::Word; r.word = p->word; break;
      }
      return r;
    }
    // A bare word is a value of its own where a word is wanted (`weights: linear`, `id_key: video_id`).
    if (arg_.type == ops::ArgType::Choice) {
      r.kind = Resolved::Kind::Word;
      r.word = e_.text;
      return r;
    }
    for (const std::string& t : env_.tensor_names) {
      if (t == e_.text) {
        env_.diags.error(e_.loc, fmt::format("`{}` is a tensor, but `{}` needs {}", e_.text, arg_.name, wanted()));
        return std::nullopt;
      }
    }
    std::vector<std::string> candidates = env_.params.names();
    if (!env_.labels_name.empty()) candidates.push_back(env_.labels_name + ".classes");
    std::string suggestion = syntax::closest_match(e_.text, candidates);
    env_.diags.error(e_.loc, fmt::format("unknown name `{}`", e_.text),
                     suggestion.empty() ? fmt::format("`{}` needs {}; declare a `param` to name a value",
                                                      arg_.name, wanted())
                                        : fmt::format("did you mean `{}`?", suggestion));
    return std::nullopt;
  }

  std::string wanted() const {
    switch (arg_.type) {
      case ops::ArgType::Int: return "an integer";
      case ops::ArgType::Float: return "a number";
      case ops::ArgType::Bool: return "true or false";
      case ops::ArgType::Choice: return fmt::format("one of {}", fmt::join(arg_.choices, ", "));
      case ops::ArgType::Samples: return "a count of samples (`10M samples` or `1000 steps`)";
      case ops::ArgType::Network: return "a sub-network `{ ... }`";
    }
    return "a value";
  }

  bool mismatch(const Resolved& r) {
    std::string found = r.kind == Resolved::Kind::Number ? "a number"
                        : r.kind == Resolved::Kind::Bool ? "a bool"
                                                         : fmt::format("`{}`", r.word);
    env_.diags.error(e_.loc, fmt::format("`{}` needs {}, found {}{}", arg_.name, wanted(), found, origin(r)));
    return false;
  }

  bool no_unit(const Resolved& r) {
    if (r.unit.empty()) return true;
    env_.diags.error(e_.unit_loc, fmt::format("`{}` takes a plain number, not {}", arg_.name, r.unit),
                     "only sample counts take a unit");
    return false;
  }

  bool in_range(const Resolved& r, double v) {
    if (arg_.range.contains(v)) return true;
    env_.diags.error(e_.loc, fmt::format("`{}` must be {}, got {:g}{}", arg_.name, range_text(), v, origin(r)));
    return false;
  }

  std::string range_text() const {
    const ops::Range& range = arg_.range;
    if (range.min && range.max) return "in " + range.to_string();
    return range.to_string();
  }

  std::optional<ops::AttrValue> integer(const Resolved& r) {
    if (r.kind != Resolved::Kind::Number) return mismatch(r), std::nullopt;
    if (!no_unit(r)) return std::nullopt;
    if (std::floor(r.number) != r.number || std::fabs(r.number) > 9.0e15) {
      env_.diags.error(e_.loc, fmt::format("`{}` needs an integer, got {:g}{}", arg_.name, r.number, origin(r)));
      return std::nullopt;
    }
    if (!in_range(r, r.number)) return std::nullopt;
    return static_cast<int64_t>(r.number);
  }

  std::optional<ops::AttrValue> real(const Resolved& r) {
    if (r.kind != Resolved::Kind::Number) return mismatch(r), std::nullopt;
    if (!no_unit(r) || !in_range(r, r.number)) return std::nullopt;
    return r.number;
  }

  std::optional<ops::AttrValue> boolean(const Resolved& r) {
    if (r.kind != Resolved::Kind::Bool) return mismatch(r), std::nullopt;
    return r.boolean;
  }

  std::optional<ops::AttrValue> choice(const Resolved& r) {
    if (r.kind != Resolved::Kind::Word) return mismatch(r), std::nullopt;
    // An empty choice list accepts any word (record keys such as `video_id`).
    if (arg_.choices.empty()) return r.word;
    for (const std::string& c : arg_.choices) {
      if (c == r.word) return r.word;
    }
    std::string suggestion = syntax::closest_match(r.word, arg_.choices);
    env_.diags.error(e_.loc, fmt::format("`{}` is not a valid `{}`{}", r.word, arg_.name, origin(r)),
                     suggestion.empty() ? fmt::format("choose one of {}", fmt::join(arg_.choices, ", "))
                                        : fmt::format("did you mean `{}`? (choices: {})", suggestion,
                                                      fmt::join(arg_.choices, ", ")));
    return std::nullopt;
  }

  std::optional<ops::AttrValue> samples(const Resolved& r) {
    if (r.kind != Resolved::Kind::Number) return mismatch(r), std::nullopt;
    double v = r.number;
    if (r.unit == "steps") {
      if (env_.batch <= 0) {
        env_.diags.error(e_.unit_loc, "`steps` needs a batch size to convert to samples",
                         "write the count in samples");
        return std::nullopt;
      }
      v *= static_cast<double>(env_.batch);
    }
    if (std::floor(v) != v || v > 9.0e15) {
      env_.diags.error(e_.loc, fmt::format("`{}` needs a whole number of samples, got {:g}{}", arg_.name, v, origin(r)));
      return std::nullopt;
    }
    if (!in_range(r, v)) return std::nullopt;
    return static_cast<int64_t>(v);
  }

  const Expr& e_;
  const ops::ArgDef& arg_;
  ValueEnv& env_;
};

}  // namespace

std::optional<ops::AttrValue> eval_value(const Expr& e, const ops::ArgDef& arg, ValueEnv& env) {
  return Evaluator(e, arg, env).run();
}

}  // namespace ynet::sema

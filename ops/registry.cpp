#include "ops/registry.h"

#include "ops/all_ops.h"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#define YNET_DECLARE_DEFS(name, def, lower, steps) \
  YNET_IF_PART(def, namespace ynet::ops::name { std::vector<OpDef> defs(); })
YNET_OPS(YNET_DECLARE_DEFS)
#undef YNET_DECLARE_DEFS

namespace ynet::ops {

bool is_scalar(const Shape& s) { return s.empty(); }
bool is_vector(const Shape& s) { return s.size() == 2 && s[0].kind == Dim::Kind::Batch; }
bool is_sequence(const Shape& s) {
  return s.size() == 3 && s[0].kind == Dim::Kind::Batch && s[1].kind == Dim::Kind::Time;
}
int64_t feature_size(const Shape& s) { return s.empty() ? 0 : s.back().value; }

std::string shape_to_string(const Shape& s) {
  std::string out = "[";
  for (size_t i = 0; i < s.size(); ++i) {
    if (i > 0) out += ", ";
    switch (s[i].kind) {
      case Dim::Kind::Batch: out += "B"; break;
      case Dim::Kind::Time: out += fmt::format("T={}", s[i].value); break;
      case Dim::Kind::Const: out += std::to_string(s[i].value); break;
    }
  }
  return out + "]";
}

std::string rank_name(const Shape& s) {
  if (is_scalar(s)) return "a scalar";
  if (is_vector(s)) return "a vector";
  if (is_sequence(s)) return "a sequence";
  return fmt::format("a rank-{} tensor", s.size());
}

std::string attr_to_string(const AttrValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
  if (const auto* d = std::get_if<double>(&v)) return fmt::format("{:g}", *d);
  if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
  return std::get<std::string>(v);
}

std::string arg_type_name(ArgType t) {
  switch (t) {
    case ArgType::Int: return "integer";
    case ArgType::Float: return "number";
    case ArgType::Bool: return "bool";
    case ArgType::Choice: return "choice";
    case ArgType::Samples: return "samples";
    case ArgType::Network: return "network";
  }
  return "value";
}

bool Range::contains(double v) const {
  if (std::isnan(v)) return false;
  if (min && (min_inclusive ? v < *min : v <= *min)) return false;
  if (max && (max_inclusive ? v > *max : v >= *max)) return false;
  return true;
}

namespace {

// Whole bounds print as integers (16777216, not 1.67772e+07).
std::string bound_text(double v) {
  if (std::floor(v) == v && std::fabs(v) < 1e15) return fmt::format("{}", static_cast<int64_t>(v));
  return fmt::format("{:g}", v);
}

}  // namespace

std::string Range::to_string() const {
  if (min && max) {
    return fmt::format("{}{}, {}{}", min_inclusive ? '[' : '(', bound_text(*min), bound_text(*max),
                       max_inclusive ? ']' : ')');
  }
  if (min) return fmt::format("{} {}", min_inclusive ? ">=" : ">", bound_text(*min));
  if (max) return fmt::format("{} {}", max_inclusive ? "<=" : "<", bound_text(*max));
  return "any";
}

const AttrValue& LayerContext::attr(const std::string& name) const {
  for (const auto& [key, value] : attrs) {
    if (key == name) return value;
  }
  throw std::logic_error("op rule asked for an undeclared argument: " + name);
}
int64_t LayerContext::int_attr(const std::string& name) const { return std::get<int64_t>(attr(name)); }
double LayerContext::float_attr(const std::string& name) const { return std::get<double>(attr(name)); }
bool LayerContext::bool_attr(const std::string& name) const { return std::get<bool>(attr(name)); }
const std::string& LayerContext::string_attr(const std::string& name) const {
  return std::get<std::string>(attr(name));
}

int64_t param_count(const ParamDef& p) {
  int64_t n = 1;
  for (int64_t d : p.shape) n *= d;
  return n;
}

const std::vector<OpDef>& all_ops() {
  static const std::vector<OpDef> ops = [] {
    std::vector<OpDef> v;
#define YNET_APPEND_DEFS(name, def, lower, steps) \
  YNET_IF_PART(def, for (OpDef& d : name::defs()) v.push_back(std::move(d));)
    YNET_OPS(YNET_APPEND_DEFS)
#undef YNET_APPEND_DEFS
    return v;
  }();
  return ops;
}

const OpDef* find_op(const std::string& name) {
  for (const OpDef& op : all_ops()) {
    if (op.name == name) return &op;
  }
  return nullptr;
}

std::vector<const OpDef*> ops_in_category(const std::string& category) {
  std::vector<const OpDef*> out;
  for (const OpDef& op : all_ops()) {
    if (op.category == category) out.push_back(&op);
  }
  return out;
}

}  // namespace ynet::ops

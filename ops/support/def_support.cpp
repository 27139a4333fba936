#include "ops/support/def_support.h"

#include <fmt/format.h>

namespace ynet::ops {

Range at_least(double min) { return Range{min, std::nullopt, true, true}; }
Range greater_than(double min) { return Range{min, std::nullopt, false, true}; }
Range between(double min, double max) { return Range{min, max, true, true}; }
Range fraction_below_one() { return Range{0.0, 1.0, true, false}; }
Range fraction_above_zero() { return Range{0.0, 1.0, false, true}; }
Range size_range() { return Range{1.0, 16777216.0, true, true}; }

ArgDef int_arg(std::string name, std::optional<int64_t> default_value, Range range, std::string doc) {
  ArgDef a{std::move(name), ArgType::Int, std::nullopt, range, {}, std::move(doc)};
  if (default_value) a.default_value = *default_value;
  return a;
}

ArgDef float_arg(std::string name, std::optional<double> default_value, Range range, std::string doc) {
  ArgDef a{std::move(name), ArgType::Float, std::nullopt, range, {}, std::move(doc)};
  if (default_value) a.default_value = *default_value;
  return a;
}

ArgDef bool_arg(std::string name, bool default_value, std::string doc) {
  return ArgDef{std::move(name), ArgType::Bool, default_value, {}, {}, std::move(doc)};
}

ArgDef choice_arg(std::string name, std::string default_value, std::vector<std::string> choices,
                  std::string doc) {
  return ArgDef{std::move(name), ArgType::Choice, std::move(default_value), {}, std::move(choices),
                std::move(doc)};
}

ArgDef samples_arg(std::string name, std::string doc) {
  return ArgDef{std::move(name), ArgType::Samples, std::nullopt, greater_than(0), {}, std::move(doc)};
}

ArgDef network_arg(std::string name, std::string doc) {
  return ArgDef{std::move(name), ArgType::Network, std::nullopt, {}, {}, std::move(doc)};
}

RuleError input_rank_error(const std::string& op, const std::string& wanted, const Shape& got,
                           std::string hint) {
  return RuleError{fmt::format("{} needs {}; its input is {} {}", op, wanted, rank_name(got),
                               shape_to_string(got)),
                   std::move(hint), "input0"};
}

ShapeResult same_shape_rule(const std::string& op, const LayerContext& ctx) {
  const Shape& in = ctx.inputs.at(0);
  if (!is_vector(in) && !is_sequence(in)) {
    return {std::nullopt, {input_rank_error(op, "a vector [B, F] or a sequence [B, T, F]", in, {})}, {}};
  }
  return {in, {}, {}};
}

OpDef config_def(std::string name, std::string category, std::string doc, std::vector<ArgDef> args) {
  OpDef d;
  d.name = std::move(name);
  d.category = std::move(category);
  d.doc = std::move(doc);
  d.args = std::move(args);
  return d;
}

}  // namespace ynet::ops

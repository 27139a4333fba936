#pragma once
// Small constructors shared by the op definitions in ops/<op>/def.cpp.
#include <string>
#include <vector>

#include "ops/registry.h"

namespace ynet::ops {

Range at_least(double min);
Range greater_than(double min);
Range between(double min, double max);    // [min, max]
Range fraction_below_one();               // [0, 1)
Range fraction_above_zero();              // (0, 1]
// Feature, unit and class counts: bounded so that parameter counts cannot overflow int64.
Range size_range();                       // [1, 2^24]

ArgDef int_arg(std::string name, std::optional<int64_t> default_value, Range range, std::string doc);
ArgDef float_arg(std::string name, std::optional<double> default_value, Range range, std::string doc);
ArgDef bool_arg(std::string name, bool default_value, std::string doc);
ArgDef choice_arg(std::string name, std::string default_value, std::vector<std::string> choices,
                  std::string doc);
ArgDef samples_arg(std::string name, std::string doc);

// The declaration of a train-block setting (an optimizer or a schedule): no inputs, no shapes.
OpDef config_def(std::string name, std::string category, std::string doc, std::vector<ArgDef> args);
ArgDef network_arg(std::string name, std::string doc);

// A rank error about the first input, e.g. "Dense needs a vector [B, F]; its input is a sequence".
RuleError input_rank_error(const std::string& op, const std::string& wanted, const Shape& got,
                           std::string hint);

// Shape rule for layers that keep their input's shape and accept vectors and sequences.
ShapeResult same_shape_rule(const std::string& op, const LayerContext& ctx);

}  // namespace ynet::ops

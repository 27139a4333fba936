#pragma once
// Helpers shared by the lowering rules in ops/<op>/lower.cpp.
#include <string>
#include <vector>

#include "ops/lowering.h"

namespace ynet::ops {

// The layer's arguments as step attributes, plus `training` = true (the inference pass clears it).
ir::Attrs layer_attrs(const LayerNode& layer);

// A forward step of `op` over `inputs` writing `outputs`, carrying the layer's attributes.
ir::Node forward_step(const LowerContext& ctx, std::string op, std::vector<int> inputs, std::vector<int> outputs,
                      int64_t flops);

// A part of a layer that lowers to steps of other ops (NetVLAD's cluster BatchNorm, ContextGating's
// gate): its steps report as "<layer>/<part>", its values are named "<layer>.<part>[/suffix]",
// and it carries its own step attributes. The whole layer is the part without a name, with the
// layer's own attributes: an op's emit function (ops/<op>/lower.h) serves both.
struct Part {
  std::string name;
  ir::Attrs attrs;
};
Part whole_layer(const LowerContext& ctx);
// A named part with `attrs` plus `training` = true.
Part layer_part(std::string name, ir::Attrs attrs = {});
int part_value(LowerContext& ctx, const Part& part, const std::string& suffix, std::vector<int64_t> shape,
               ir::BufferKind kind = ir::BufferKind::Activation);
// A forward step of `part`.
ir::Node part_step(const LowerContext& ctx, const Part& part, std::string op, std::vector<int> inputs,
                   std::vector<int> outputs, int64_t flops);

// Rows of a [..., F] tensor: the product of all but the last dimension.
int64_t rows(const ir::Value& v);
int64_t last_dim(const ir::Value& v);

// A gradient rule that emits the standard backward step and reads the listed forward inputs and
// outputs (by position); `flops_factor` times the forward step's FLOPs is the backward cost.
GradRule standard_grad(std::vector<int> needed_inputs, std::vector<int> needed_outputs, double flops_factor);

}  // namespace ynet::ops

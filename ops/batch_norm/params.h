#pragma once
// The parameters of a BatchNorm, for the BatchNorm layer and for every layer built from one
// (NetVLAD, NeXtVLAD, ContextGating): gamma and beta are trained, the moving statistics are state.
#include <string>
#include <vector>

#include "ops/registry.h"

namespace ynet::ops::batch_norm {

// Named "<prefix>gamma", "<prefix>beta", "<prefix>moving_mean", "<prefix>moving_variance".
inline std::vector<ParamDef> param_defs(const std::string& prefix, int64_t features, bool scale = true,
                                        bool center = true) {
  std::vector<ParamDef> p;
  if (scale) p.push_back({prefix + "gamma", {features}, "ones", true});
  if (center) p.push_back({prefix + "beta", {features}, "zeros", true});
  p.push_back({prefix + "moving_mean", {features}, "zeros", false});
  p.push_back({prefix + "moving_variance", {features}, "ones", false});
  return p;
}

}  // namespace ynet::ops::batch_norm

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

// WILLOW's projection, x W followed by a BatchNorm of its outputs or, with `normalize` false, by
// a bias (NetVLAD's cluster assignment, Context Gating's gate): "<name>_weights" [in, out], then
// "<name>_bn/gamma", ... or "<name>_bias". batch_norm::emit_projection lowers it.
inline std::vector<ParamDef> projection_params(const std::string& name, int64_t in, int64_t out, bool normalize) {
  std::vector<ParamDef> p{{name + "_weights", {in, out}, "glorot_uniform", true}};
  if (!normalize) {
    p.push_back({name + "_bias", {out}, "zeros", true});
    return p;
  }
  for (ParamDef& d : param_defs(name + "_bn/", out)) p.push_back(std::move(d));
  return p;
}

}  // namespace ynet::ops::batch_norm

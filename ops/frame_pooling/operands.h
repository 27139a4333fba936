#pragma once
// Reading a FramePooling step's operands, for every backend's adapter. Step "FramePooling":
// inputs (x [B,T,F], lengths[, scale [F], shift [F]]), outputs (y [B,F]); attribute mode. The
// optional per-feature affine map is an inference BatchNorm folded into the pooling (see
// fold_batchnorm_into_pooling): every valid frame is pooled as scale * x + shift. x may be u8, the
// frames' stored bytes (pool_stored_frames): each byte q then stands for the value
// dequantize_scale * q + dequantize_bias (attributes), which is what goes through the affine map.
#include <stdexcept>
#include <string>

#include "plan/graph.h"
#include "ops/frame_pooling/reference.h"

namespace ynet::ops::frame_pooling {

inline FramePoolingShape shape_of(const ir::Value& x) {
  if (x.shape.size() != 3) throw std::invalid_argument("FramePooling pools a [batch, time, features] sequence");
  return {static_cast<size_t>(x.shape[0]), static_cast<size_t>(x.shape[1]), static_cast<size_t>(x.shape[2])};
}

inline PoolingMode mode_of(const ir::Node& n) {
  const std::string mode = ir::attr_string(n.attrs, "mode", "max");
  if (mode == "max") return PoolingMode::max;
  if (mode == "mean") return PoolingMode::mean;
  if (mode == "sum") return PoolingMode::sum;
  throw std::invalid_argument("unknown pooling mode '" + mode + "'");
}

// The buffer ids of the folded affine map, or {-1, -1} when the step pools x as it is.
struct AffineOperands {
  int scale = -1, shift = -1;
};

inline AffineOperands affine_of(const ir::Node& n) {
  if (n.inputs.size() == 2) return {};
  if (n.inputs.size() != 4 || n.inputs[2] < 0 || n.inputs[3] < 0)
    throw std::invalid_argument("FramePooling takes (x, lengths) or (x, lengths, scale, shift)");
  return {n.inputs[2], n.inputs[3]};
}

// How the values of x are read: as they are (f32), or dequantized from stored bytes (u8).
struct Dequantization {
  bool stored_bytes = false;
  double scale = 1.0, bias = 0.0;
};

inline Dequantization dequantization_of(const ir::Node& n, const ir::Value& x) {
  const bool has_attrs = n.attrs.count("dequantize_scale") > 0 && n.attrs.count("dequantize_bias") > 0;
  if (x.dtype == ir::DType::F32) {
    if (n.attrs.count("dequantize_scale") || n.attrs.count("dequantize_bias"))
      throw std::invalid_argument("FramePooling dequantizes u8 frames only, but x is f32");
    return {};
  }
  if (x.dtype != ir::DType::U8 || !has_attrs)
    throw std::invalid_argument("FramePooling pools f32 frames, or u8 frames with dequantize_scale and dequantize_bias");
  return {true, ir::attr_double(n.attrs, "dequantize_scale", 1.0), ir::attr_double(n.attrs, "dequantize_bias", 0.0)};
}

}  // namespace ynet::ops::frame_pooling

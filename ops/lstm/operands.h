#pragma once
// Reading a LSTM step's operands, shared by every backend's adapter (steps.cpp, cuda_steps.cpp).
#include <cstddef>
#include <cstdint>

#include "plan/graph.h"
#include "ops/lstm/lstm_shape.h"

namespace ynet::ops::lstm {

inline LstmShape shape_of(const ir::Node& n, const ir::Graph& g, int x) {
  const ir::Value& xv = g.value(x);
  LstmShape s;
  s.batch = xv.shape.at(0);
  s.time = xv.shape.at(1);
  s.input = xv.shape.at(2);
  s.hidden = ir::attr_int(n.attrs, "hidden", 1);
  s.layers = ir::attr_int(n.attrs, "layers", 1);
  s.residual = ir::attr_bool(n.attrs, "residual", false);
  s.forget_bias = ir::attr_double(n.attrs, "forget_bias", 1.0);
  s.validate();
  return s;
}

}  // namespace ynet::ops::lstm

#pragma once
// The operands of Concat's and Slice's steps, read once for every backend (Buffers<double>,
// Buffers<float>, DeviceBuffers), as column copies (reference.h): steps.cpp and cuda_steps.cpp only
// run them.
//   "Concat"       inputs (a, b), output y: a into y's first columns, b into the rest; attribute
//                  split (a's features)
//   "Concat.grad"  dy; outputs da, db (either may be absent)
//   "Slice"        input x, output y; attributes from, size
//   "Slice.grad"   dy; output dx (zero outside the slice)
#include <cstdint>
#include <vector>

#include "ops/concat/reference.h"
#include "ops/support/step_buffers.h"
#include "ops/support/step_support.h"
#include "plan/graph.h"

namespace ynet::ops::concat {

inline size_t width_of(const ir::Value& v) { return static_cast<size_t>(v.shape.empty() ? 1 : v.shape.back()); }
inline size_t rows_of(const ir::Value& v) {
  const size_t w = width_of(v);
  return w == 0 ? 0 : static_cast<size_t>(v.elements()) / w;
}

template <class T>
struct Copy {
  ColumnCopy columns;
  const T* from;
  T* to;
};

// The copies a step makes, in order, after clearing `zero` (Slice.grad) when it is set.
template <runtime::StepBuffers B>
struct Operands {
  using T = typename B::Element;
  std::vector<Copy<T>> copies;
  T* zero = nullptr;
  size_t zero_elements = 0;

  Operands(const ir::Node& n, B& b) {
    if (n.op == "Concat") concat(b, n.inputs.at(0), n.inputs.at(1), n.outputs.at(0));
    if (n.op == "Concat.grad") concat_grad(b, runtime::GradOperands(n), static_cast<size_t>(ir::attr_int(n.attrs, "split", 0)));
    if (n.op == "Slice") slice(b, n.inputs.at(0), n.outputs.at(0), from_of(n));
    if (n.op == "Slice.grad") slice_grad(b, runtime::GradOperands(n), from_of(n));
  }

 private:
  static size_t from_of(const ir::Node& n) { return static_cast<size_t>(ir::attr_int(n.attrs, "from", 0)); }

  void concat(B& b, int a, int bb, int y) {
    const auto& g = b.plan().graph;
    const size_t fa = width_of(g.value(a)), fb = width_of(g.value(bb)), rows = rows_of(g.value(y));
    copies.push_back({{rows, fa, fa, 0, fa + fb, 0}, b.f(a), b.f(y)});
    copies.push_back({{rows, fb, fb, 0, fa + fb, fa}, b.f(bb), b.f(y)});
  }

  void concat_grad(B& b, const runtime::GradOperands& grad, size_t split) {
    const auto& g = b.plan().graph;
    const ir::Value& y = g.value(grad.output_grad(0));
    const size_t fa = split, fb = width_of(y) - split, rows = rows_of(y);
    T* dy = b.f(grad.output_grad(0));
    if (grad.input_grad(0) >= 0) copies.push_back({{rows, fa, fa + fb, 0, fa, 0}, dy, b.f(grad.input_grad(0))});
    if (grad.input_grad(1) >= 0) copies.push_back({{rows, fb, fa + fb, fa, fb, 0}, dy, b.f(grad.input_grad(1))});
  }

  void slice(B& b, int x, int y, size_t from) {
    const auto& g = b.plan().graph;
    const size_t fx = width_of(g.value(x)), fy = width_of(g.value(y));
    copies.push_back({{rows_of(g.value(y)), fy, fx, from, fy, 0}, b.f(x), b.f(y)});
  }

  void slice_grad(B& b, const runtime::GradOperands& grad, size_t from) {
    const auto& g = b.plan().graph;
    const ir::Value& dx = g.value(grad.input_grad(0));
    const ir::Value& dy = g.value(grad.output_grad(0));
    zero = b.f(grad.input_grad(0));
    zero_elements = static_cast<size_t>(dx.elements());
    copies.push_back({{rows_of(dy), width_of(dy), width_of(dy), 0, width_of(dx), from}, b.f(grad.output_grad(0)), zero});
  }
};

}  // namespace ynet::ops::concat

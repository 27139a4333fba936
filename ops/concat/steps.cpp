// Concat and Slice bound to the host backends: each step runs the column copies operands.h reads.
#include <algorithm>

#include "ops/concat/cpu.h"
#include "ops/concat/operands.h"
#include "ops/concat/reference.h"
#include "ops/op.h"

namespace ynet::ops::concat {

void add_reference_steps(runtime::StepTable<double>& table) {
  for (const char* op : {"Concat", "Concat.grad", "Slice", "Slice.grad"}) {
    table[op] = [](const ir::Node& n, runtime::Buffers<double>& b) {
      const Operands o(n, b);
      return runtime::make_step([=](const runtime::StepContext&) {
        if (o.zero != nullptr) std::fill(o.zero, o.zero + o.zero_elements, 0.0);
        for (const auto& c : o.copies) reference::copy_columns(c.columns, c.from, c.to);
      });
    };
  }
}

void add_cpu_steps(runtime::StepTable<float>& table) {
  for (const char* op : {"Concat", "Concat.grad", "Slice", "Slice.grad"}) {
    table[op] = [](const ir::Node& n, runtime::Buffers<float>& b) {
      const Operands o(n, b);
      return runtime::make_step([=](const runtime::StepContext&) {
        if (o.zero != nullptr) cpu::zero(o.zero, o.zero_elements);
        for (const auto& c : o.copies) cpu::copy_columns(c.columns, c.from, c.to);
      });
    };
  }
}

}  // namespace ynet::ops::concat

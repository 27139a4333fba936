#pragma once
// THE op list: every folder of ops/ that holds ops, named once with the parts it implements. The op
// registry (all_ops() in registry.cpp), the lowering table (lowering.cpp) and every backend's step
// table (step_tables.cpp, support/cuda/step_table.cpp) are generated from it, and
// tests/backend/test_op_list.cpp fails when a step that the compiler emits has no kernel in a
// backend. Adding an op is its folder plus one line here (ops/README.md walks through it).
//
// X(folder, def, lower, steps): a part the folder lacks is written `_`. A folder `name` defines, in
// namespace ynet::ops::name:
//   def    std::vector<OpDef> defs();                       def.cpp    spec-facing declarations
//   lower  OpLowering lowering();                           lower.cpp  layer lowering, gradient rules
//   steps  void add_reference_steps(StepTable<double>&);    steps.cpp  the double-precision reference
//          void add_cpu_steps(StepTable<float>&);           steps.cpp  oneDNN and our own CPU kernels
//          void add_cuda_steps(cuda::StepTable&);           cuda_steps.cpp (CUDA builds only)
// The order is the order of `ynet help layers` and docs/language.md.
#define YNET_OPS(X)                                      \
  X(batch_norm, def, lower, steps)                       \
  X(dropout, def, lower, steps)                          \
  X(dense, def, lower, steps)                            \
  X(activation, def, lower, steps)                       \
  X(frame_pooling, def, lower, steps)                    \
  X(time_weighted_sum, def, lower, steps)                \
  X(l2_normalize, def, lower, steps)                     \
  X(concat, def, lower, steps)                           \
  X(softmax, def, lower, steps)                          \
  X(multiply, def, lower, steps)                         \
  X(vlad, def, lower, steps)                             \
  X(context_gating, def, lower, _)                       \
  X(lstm, def, lower, steps)                             \
  X(moe, def, lower, steps)                              \
  X(moe_classifier, def, lower, steps)                   \
  X(logistic, def, lower, steps)                         \
  X(sigmoid_cross_entropy, def, lower, steps)            \
  X(optim::rmsprop, def, _, steps)                       \
  X(optim::adam, def, _, steps)                          \
  X(optim::sgd, def, _, steps)                           \
  X(optim::schedule, def, _, _)                          \
  X(optim::clip, _, _, steps)                            \
  X(graph, _, _, steps)

// YNET_IF_PART(part, text) expands to `text` when `part` is present (not `_`).
#define YNET_IF_PART(part, ...) YNET_IF_PART_##part(__VA_ARGS__)
#define YNET_IF_PART_def(...) __VA_ARGS__
#define YNET_IF_PART_lower(...) __VA_ARGS__
#define YNET_IF_PART_steps(...) __VA_ARGS__
#define YNET_IF_PART__(...)

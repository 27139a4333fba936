#pragma once
// THE op list: every folder of ops/ that holds ops, named once. The op registry (all_ops() in
// registry.cpp), the lowering table (lowering.cpp) and every backend's step table (step_tables.cpp,
// support/cuda/step_table.cpp) are generated from it, and tests/ops/test_op_list.cpp fails when a
// step that a lowering emits has no kernel in a backend. Adding an op is its folder plus one name
// here (ops/README.md walks through it).
//
// Each folder `name` defines, in namespace ynet::ops::name:
//   std::vector<OpDef> defs();                        def.cpp    spec-facing declarations
//   OpLowering lowering();                            lower.cpp  layer lowering and gradient rules
//   void add_reference_steps(StepTable<double>&);     steps.cpp  the double-precision reference
//   void add_cpu_steps(StepTable<float>&);            steps.cpp  oneDNN and our own CPU kernels
//   void add_cuda_steps(cuda::StepTable&);            cuda_steps.cpp (CUDA builds only)
// The order is the order of `ynet help layers` and docs/language.md.
#define YNET_OPS(X)                                                                              \
  X(batch_norm) X(dropout) X(dense) X(activation) X(frame_pooling) X(time_weighted_sum)         \
  X(l2_normalize) X(lstm) X(moe) X(moe_classifier) X(logistic) X(sigmoid_cross_entropy) X(optim) \
  X(graph)

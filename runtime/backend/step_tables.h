#pragma once
// The step tables of the host backends, filled by each op folder's steps.cpp.
#include "runtime/backend/step.h"

namespace ynet::runtime {

const StepTable<double>& reference_steps();
const StepTable<float>& cpu_steps();

}  // namespace ynet::runtime

// Every provider defines add_reference_steps and add_cpu_steps in its steps.cpp.
#define YNET_STEP_PROVIDERS(X)                                                                     \
  X(ops::dense) X(ops::activation) X(ops::batch_norm) X(ops::dropout) X(ops::frame_pooling)       \
  X(ops::time_weighted_sum) X(ops::l2_normalize) X(ops::lstm) X(ops::moe) X(ops::moe_classifier) \
  X(ops::logistic) X(ops::sigmoid_cross_entropy) X(optim) X(runtime::graph_steps)

#define YNET_DECLARE_STEP_PROVIDER(ns)                                   \
  namespace ynet::ns {                                                   \
  void add_reference_steps(::ynet::runtime::StepTable<double>& table);   \
  void add_cpu_steps(::ynet::runtime::StepTable<float>& table);          \
  }
YNET_STEP_PROVIDERS(YNET_DECLARE_STEP_PROVIDER)
#undef YNET_DECLARE_STEP_PROVIDER

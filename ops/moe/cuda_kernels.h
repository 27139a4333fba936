#pragma once
// The device kernels of the GPU mixture-of-experts layer (cuda.h). Math, layouts and losses:
// moe_shape.h. Rows are valid when their frame index is below their video's length (no lengths:
// all rows); a (row, slot) pair is one of a valid row's k choices, pair p = row * top_k + slot.
#include <cuda_runtime_api.h>

#include <cstdint>

#include "ops/support/cuda/column_chunks.h"
#include "ops/activation/kind.h"
#include "ops/support/philox.h"

namespace ynet::ops::moe::cuda {

struct GatingDims {
  int64_t rows, time, experts, top_k;
  int64_t slots;  // entries of a row's ordering: top_k, plus the next one when top_k < experts
  bool noisy, load_loss;
};

// eps [rows, experts] standard normal samples of gating_noise.h (Box-Muller on Philox blocks);
// eps[0] is sample first_sample of the global batch's tensor.
void gating_noise(const dropout::philox::MaskKey& key, uint64_t first_sample, int64_t count, float* eps,
                  cudaStream_t stream);

// One thread per row: H, the ordering of its top entries (ties to the lower index), the softmax G
// of the chosen ones; dense_gates [rows, experts] holds G scattered (0 elsewhere) and, with the load
// loss, probabilities [rows, experts] holds P(x, e); both are 0 on invalid rows. raw and eps may be
// null (no noise).
void gate_rows(const GatingDims& d, const int32_t* lengths, const float* clean, const float* raw, const float* eps,
               int32_t* order, float* gates, float* dense_gates, float* probabilities, cudaStream_t stream);

// importance[e] and load[e] (double) as column sums of dense_gates and probabilities, and
// *aux = w_importance CV(importance)^2 + w_load CV(load)^2 (the load term only with the load loss).
void gating_losses(const GatingDims& d, const runtime::cuda::ColumnChunks& chunks, const float* dense_gates,
                   const float* probabilities, double w_importance, double w_load, double cv_epsilon,
                   double* partials, double* importance, double* load, float* aux, cudaStream_t stream);

// d_importance and d_load (double [experts]) = *d_aux (null: 0) times the weights' CV^2 gradients.
void loss_gradients(const GatingDims& d, const double* importance, const double* load, const float* d_aux,
                    double w_importance, double w_load, double cv_epsilon, double* d_importance, double* d_load,
                    cudaStream_t stream);

// One thread per row: dL/dclean and dL/draw [rows, experts] (d_raw: noisy only) from dL/dG of the
// chosen slots (d_gates [rows * top_k], double) and d_load, as gating.h's backward_row, with the
// softmax recomputed in double; 0 on invalid rows.
void gate_rows_backward(const GatingDims& d, const int32_t* lengths, const float* clean, const float* raw,
                        const float* eps, const int32_t* order, const double* d_gates, const double* d_load,
                        float* d_clean, float* d_raw, cudaStream_t stream);

// Grouping of the pairs by expert, each expert's pairs in pair order. positions [pairs]: a pair's
// place among its expert's; counts and offsets [experts] (offsets: exclusive prefix sums).
void count_pairs(const GatingDims& d, const int32_t* lengths, const int32_t* order, int32_t* positions,
                 int32_t* counts, int32_t* offsets, cudaStream_t stream);

// For every valid pair: destination [pairs] = its grouped row; grouped_x [grouped, input] = x of its
// row; row_of, slot_of and expert_of [grouped] describe each grouped row.
void gather(const GatingDims& d, int64_t input, const int32_t* lengths, const int32_t* order,
            const int32_t* positions, const int32_t* offsets, const float* x, int32_t* destination,
            float* grouped_x, int32_t* row_of, int32_t* slot_of, int32_t* expert_of, cudaStream_t stream);

// act [grouped, units] = f(act + bias[expert_of]) in place; bias [experts, units] may be null.
void bias_activation(int64_t grouped, int64_t units, const float* bias, const int32_t* expert_of,
                     ActivationKind activation, float* act, cudaStream_t stream);

// y [rows, output] = sum over the row's slots, in order, of G * out[destination]; 0 on invalid rows.
void combine(const GatingDims& d, int64_t output, const int32_t* lengths, const float* gates,
             const int32_t* destination, const float* out, float* y, cudaStream_t stream);

// One warp per valid pair: d_gates[pair] = d_importance[expert] + <dy[row], out[destination]>.
void gate_gradients(const GatingDims& d, int64_t output, const int32_t* lengths, const int32_t* order,
                    const int32_t* destination, const double* d_importance, const float* dy, const float* out,
                    double* d_gates, cudaStream_t stream);

// d_act [grouped, output] = G of the grouped row's pair * dy[its row].
void output_gradient(int64_t grouped, int64_t output, int64_t top_k, const int32_t* row_of, const int32_t* slot_of,
                     const float* gates, const float* dy, float* d_act, cudaStream_t stream);

// d_act *= f'(act) in place, the derivative taken from the output.
void activation_gradient(int64_t count, ActivationKind activation, const float* act, float* d_act,
                         cudaStream_t stream);

// d_bias [experts, units]: per expert, the column sums of its grouped rows of d_pre (0 for an
// expert without rows).
void bias_gradient(int64_t experts, int64_t units, const int32_t* counts, const int32_t* offsets, const float* d_pre,
                   float* d_bias, cudaStream_t stream);

// dx [rows, input] = sum over the row's slots, in order, of d_in[destination]; 0 on invalid rows.
void scatter_input_gradient(const GatingDims& d, int64_t input, const int32_t* lengths,
                            const int32_t* destination, const float* d_in, float* dx, cudaStream_t stream);

}  // namespace ynet::ops::moe::cuda

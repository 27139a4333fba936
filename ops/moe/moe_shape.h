#pragma once
// Shape, parameters and losses of the sparsely-gated mixture-of-experts layer (Shazeer et al. 2017),
// applied to every row: rows = batch * time frames, a row is valid when its frame index is below
// its video's length. Padded rows take no part: their output and input gradient are 0 and they add
// nothing to the losses.
//
// Per valid row x [input]:
//   clean = x W_g, raw = x W_noise                              W_g, W_noise [input, experts]
//   H = clean + eps * softplus(raw)   (noisy, training: eps ~ N(0,1) is an input buffer [rows, experts])
//   H = clean                         (noisy: false, or no eps given)
//   top-k of H, ties to the lower expert index; G = softmax over the k chosen entries, 0 elsewhere
//   y = sum over the chosen e of G_e * E_e(x)
// Each expert is a chain of Dense layers; layer j's weights for all experts are stacked
// W_j [experts, in_j, out_j], b_j [experts, out_j] (per expert the TensorFlow [in, out] layout); a
// layer may have no bias.
//
// Auxiliary losses over the valid rows X of the batch:
//   Importance = sum_x G(x);  L_importance = w_importance * CV(Importance)^2
//   P(x, i) = Phi((clean_i - kth_excluding(H, k, i)) / softplus(raw_i))
//       kth_excluding(H, k, i): the k-th largest entry of H with entry i left out
//   Load = sum_x P(x, .);     L_load = w_load * CV(Load)^2
//   CV(v)^2 = var(v) / (mean(v)^2 + 1e-10), population variance over the experts (0 when all are 0)
// (over the global batch when the rows are a slice of a data-parallel batch: batch_losses.h)
// The load loss needs the noise scale softplus(raw), so it is 0 with noisy: false, as in Shazeer et
// al., who rely on the importance loss alone without noise; with k = experts every P is 1 and it is
// 0 too. Both losses are differentiated exactly, including through Phi's argument w.r.t. W_g,
// W_noise and x; gradients reach G only through the k chosen entries.
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "ops/activation/kind.h"

namespace ynet::ops::moe {

struct ExpertLayer {
  int64_t units = 0;
  ActivationKind activation = ActivationKind::none;
  bool bias = true;
};

struct MoeShape {
  int64_t batch = 0;
  int64_t time = 1;
  int64_t input = 0;
  int64_t experts = 0;
  int64_t top_k = 1;
  bool noisy = true;
  double w_importance = 0.1;
  double w_load = 0.1;
  std::vector<ExpertLayer> expert;  // the Dense chain every expert applies

  int64_t rows() const { return batch * time; }
  int64_t layers() const { return static_cast<int64_t>(expert.size()); }
  int64_t layer_input(int64_t j) const { return j == 0 ? input : expert[static_cast<size_t>(j - 1)].units; }
  int64_t layer_output(int64_t j) const { return expert[static_cast<size_t>(j)].units; }
  int64_t output() const { return expert.back().units; }
  bool has_load_loss() const { return noisy && top_k < experts; }

  void validate() const {
    if (batch < 1 || time < 1 || input < 1 || experts < 1) {
      throw std::invalid_argument("MoE: batch, time, input and experts must be positive");
    }
    if (top_k < 1 || top_k > experts) {
      throw std::invalid_argument("MoE: top_k must be in [1, experts], got " + std::to_string(top_k) + " of " +
                                  std::to_string(experts));
    }
    if (expert.empty()) throw std::invalid_argument("MoE: an expert needs at least one Dense layer");
    for (const ExpertLayer& layer : expert) {
      if (layer.units < 1) throw std::invalid_argument("MoE: expert layers need positive units");
    }
  }
};

template <class T>
struct Params {
  const T* gate = nullptr;        // W_g [input, experts]
  const T* noise = nullptr;       // W_noise [input, experts]; only with noisy
  std::vector<const T*> weights;  // per expert layer: [experts, in_j, out_j]
  std::vector<const T*> biases;   // per expert layer: [experts, out_j]; null for a layer without bias
};

// Written, not accumulated.
template <class T>
struct Grads {
  T* gate = nullptr;
  T* noise = nullptr;
  std::vector<T*> weights;
  std::vector<T*> biases;
};

struct Losses {
  double importance = 0.0;
  double load = 0.0;
  double total() const { return importance + load; }
};

}  // namespace ynet::ops::moe

#pragma once
// The YouTube-8M starter code's video-level MoeModel. For every video x [F] and class c:
//   gate logits   a_m = x . Wg[:, c(M+1) + m]          m = 0..M (m = M is the dummy expert)
//   expert logits e_m = x . We[:, cM + m] + be[cM + m]  m = 0..M-1
//   p_c = sum_{m<M} softmax(a)_m * sigmoid(e_m)        (the dummy expert outputs 0)
// Parameters as the op definition declares them: gate_weights Wg [F, C(M+1)] (no bias, as in the
// starter code), expert_weights We [F, CM], expert_bias be [CM]. The output is a probability, so
// the training loss is cross-entropy on probabilities (probability_loss.h), not on logits.
#include <cstdint>
#include <stdexcept>

namespace ynet::ops::moe_classifier {

struct ClassifierShape {
  int64_t batch = 0;
  int64_t input = 0;
  int64_t classes = 0;
  int64_t mixtures = 1;

  int64_t gate_columns() const { return classes * (mixtures + 1); }
  int64_t expert_columns() const { return classes * mixtures; }

  void validate() const {
    if (batch < 1 || input < 1 || classes < 1 || mixtures < 1) {
      throw std::invalid_argument("MoeClassifier: batch, input, classes and mixtures must be positive");
    }
  }
};

template <class T>
struct Params {
  const T* gate_weights = nullptr;    // [F, C(M+1)]
  const T* expert_weights = nullptr;  // [F, CM]
  const T* expert_bias = nullptr;     // [CM]
};

// Written, not accumulated.
template <class T>
struct Grads {
  T* gate_weights = nullptr;
  T* expert_weights = nullptr;
  T* expert_bias = nullptr;
};

}  // namespace ynet::ops::moe_classifier

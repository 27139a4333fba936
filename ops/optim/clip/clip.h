#pragma once
// Gradient clipping as TensorFlow 1 does it:
//   clip_by_norm (per tensor):  t <- t clip / max(||t||, clip)
//   clip_by_global_norm:        t <- t clip / max(G, clip) for every tensor, G = sqrt(sum ||t||^2)
// Tensors whose norm is within the limit are left bit-for-bit unchanged (TensorFlow multiplies by
// clip / clip, which equals 1 up to rounding). A NaN or infinite norm leaves the gradients as they
// are, so that the caller's NaN/Inf check reports the tensor instead of a wall of NaNs.
//
// Squared norms are summed in double over fixed blocks in parallel, and the block sums are then
// added in order: the result does not depend on the thread count. The block sums live in a buffer
// sized once, from the tensor sizes, when the clipper is built.

#include <cstddef>
#include <span>
#include <vector>

namespace ynet::ops::optim {

template <class T>
class GradientClipper {
 public:
  explicit GradientClipper(std::vector<std::size_t> tensor_sizes);

  // tensors[i] points at tensor i's gradient (sizes as given to the constructor). Writes each
  // tensor's norm before clipping to norms_before when it is not empty.
  void clip_each_by_norm(std::span<T* const> tensors, double clip_norm, std::span<double> norms_before = {});
  // Returns the global norm before clipping.
  double clip_by_global_norm(std::span<T* const> tensors, double clip_norm);

 private:
  double squared_norm(std::size_t tensor, const T* data);
  static void scale(T* data, std::size_t count, double factor);

  std::vector<std::size_t> sizes_;
  std::vector<std::size_t> first_block_;  // index into block_sums_ of each tensor's first block
  std::vector<double> block_sums_;
};

extern template class GradientClipper<float>;
extern template class GradientClipper<double>;

}  // namespace ynet::ops::optim

#include "ops/optim/clip/clip.h"

#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <utility>

namespace ynet::ops::optim {

namespace {

constexpr std::size_t kBlock = std::size_t{1} << 15;

std::size_t block_count(std::size_t size) { return (size + kBlock - 1) / kBlock; }

}  // namespace

template <class T>
GradientClipper<T>::GradientClipper(std::vector<std::size_t> tensor_sizes) : sizes_(std::move(tensor_sizes)) {
  std::size_t blocks = 0;
  for (std::size_t size : sizes_) {
    first_block_.push_back(blocks);
    blocks += block_count(size);
  }
  block_sums_.resize(blocks);
}

template <class T>
double GradientClipper<T>::squared_norm(std::size_t tensor, const T* data) {
  const std::size_t size = sizes_[tensor];
  double* sums = block_sums_.data() + first_block_[tensor];
  const auto blocks = static_cast<std::int64_t>(block_count(size));
#pragma omp parallel for schedule(static)
  for (std::int64_t block = 0; block < blocks; ++block) {
    const std::size_t begin = static_cast<std::size_t>(block) * kBlock;
    const std::size_t end = begin + kBlock < size ? begin + kBlock : size;
    double sum = 0.0;
    for (std::size_t i = begin; i < end; ++i) sum += static_cast<double>(data[i]) * static_cast<double>(data[i]);
    sums[block] = sum;
  }
  double total = 0.0;
  for (std::int64_t block = 0; block < blocks; ++block) total += sums[block];
  return total;
}

template <class T>
void GradientClipper<T>::scale(T* data, std::size_t count, double factor) {
  const auto f = static_cast<T>(factor);
  const auto n = static_cast<std::int64_t>(count);
#pragma omp parallel for schedule(static)
  for (std::int64_t i = 0; i < n; ++i) data[i] *= f;
}

template <class T>
void GradientClipper<T>::clip_each_by_norm(std::span<T* const> tensors, double clip_norm,
                                           std::span<double> norms_before) {
  if (tensors.size() != sizes_.size()) throw std::invalid_argument("clip_each_by_norm: wrong number of tensors");
  for (std::size_t k = 0; k < tensors.size(); ++k) {
    const double norm = std::sqrt(squared_norm(k, tensors[k]));
    if (!norms_before.empty()) norms_before[k] = norm;
    if (norm > clip_norm && std::isfinite(norm)) scale(tensors[k], sizes_[k], clip_norm / norm);
  }
}

template <class T>
double GradientClipper<T>::clip_by_global_norm(std::span<T* const> tensors, double clip_norm) {
  if (tensors.size() != sizes_.size()) throw std::invalid_argument("clip_by_global_norm: wrong number of tensors");
  double total = 0.0;
  for (std::size_t k = 0; k < tensors.size(); ++k) total += squared_norm(k, tensors[k]);
  const double global_norm = std::sqrt(total);
  if (global_norm > clip_norm && std::isfinite(global_norm)) {
    for (std::size_t k = 0; k < tensors.size(); ++k) scale(tensors[k], sizes_[k], clip_norm / global_norm);
  }
  return global_norm;
}

template class GradientClipper<float>;
template class GradientClipper<double>;

}  // namespace ynet::ops::optim

#pragma once
// Reference VLAD aggregation in double, the core of NetVLAD, NetRVLAD and NeXtVLAD: per video b,
// the soft assignments a [rows, clusters] weight the descriptors x [rows, features] into one
// residual sum per cluster,
//   v[b, k, f] = sum_r a[b, r, k] x[b, r, f]  -  s[b, k] c[k, f],   s[b, k] = sum_r a[b, r, k],
// with the cluster centres c [clusters, features] (NetRVLAD has none: the second term is absent).
// A row whose assignments are 0 contributes nothing: the layers' softmax writes 0 on padded frames,
// so padding is masked without the step reading the lengths. Rows are frames (NetVLAD) or
// frame-groups (NeXtVLAD: a frame's G groups are consecutive rows). Backward:
//   da[b, r, k] = sum_f (x[b, r, f] - c[k, f]) dv[b, k, f]
//   dx[b, r, f] = sum_k a[b, r, k] dv[b, k, f]
//   dc[k, f]    = -sum_b s[b, k] dv[b, k, f]
#include <cstddef>

namespace ynet::ops::vlad {

struct VladShape {
  std::size_t batch = 0;
  std::size_t rows = 0;      // per video
  std::size_t clusters = 0;
  std::size_t features = 0;  // per row
};

namespace reference {

// a [B, rows, K], x [B, rows, F], c [K, F] or null, v [B, K, F].
void forward(const VladShape& shape, const double* a, const double* x, const double* c, double* v);
// da, dx and dc may each be null (not needed); the others are fully written.
void backward(const VladShape& shape, const double* a, const double* x, const double* c, const double* dv,
              double* da, double* dx, double* dc);

}  // namespace reference
}  // namespace ynet::ops::vlad

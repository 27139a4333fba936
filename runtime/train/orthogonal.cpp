#include "runtime/train/orthogonal.h"

#include <algorithm>
#include <cmath>

#include "runtime/train/initialize.h"

// Compiled with -ffp-contract=off (see CMakeLists.txt): a fused multiply-add rounds once where a
// multiply and an add round twice, so the sums below would differ between machines.

namespace ynet::train {
namespace {

constexpr int64_t kPanel = 64;      // reflections applied as one block I - V T V^T
constexpr int64_t kLanes = 8;       // rows (or columns) of V laid out together
constexpr int64_t kColumns = 16;    // columns per thread task
constexpr int64_t kRowBlock = 256;  // rows of V kept in cache while a task sweeps its columns
constexpr int kTile = 4;            // columns of one register tile

// Four doubles, each lane its own IEEE arithmetic: no lane is ever added to another, so the vector
// width a machine runs them at (AVX2 one register, SSE2 two) changes no result.
using Real = double;
typedef Real Lanes __attribute__((vector_size(32)));
typedef Real UnalignedLanes __attribute__((vector_size(32), aligned(alignof(Real)), may_alias));
constexpr int kVec = 32 / sizeof(Real);
constexpr int kHalves = kLanes / kVec;
#define YNET_LOAD(p) (*reinterpret_cast<const UnalignedLanes*>(p))
#define YNET_STORE(p, v) (*reinterpret_cast<UnalignedLanes*>(p) = (v))

int64_t round_up(int64_t x, int64_t to) { return (x + to - 1) / to * to; }

// W[p + j*kb8] = sum over i < rows of V[i, p] C[i + j*ldc], for p < kb8 and j < cols, each sum taken
// in order of i from zero. vq holds V as groups of eight columns: vq[(g*rows + i)*8 + l] = V[i, 8g+l].
[[gnu::target_clones("avx512f", "avx2", "default")]]
void transposed_product(int64_t rows, int64_t kb8, const Real* vq, const Real* c, int64_t ldc, int64_t cols,
                        Real* w) {
  const int64_t tasks = (cols + kColumns - 1) / kColumns;
#pragma omp parallel for schedule(static)
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t first = task * kColumns, last = std::min(cols, first + kColumns);
    std::fill(w + first * kb8, w + last * kb8, Real(0));
    for (int64_t i0 = 0; i0 < rows; i0 += kRowBlock) {
      const int64_t i1 = std::min(rows, i0 + kRowBlock);
      for (int64_t g = 0; g < kb8 / kLanes; ++g) {
        const Real* v = vq + g * rows * kLanes;
        for (int64_t j = first; j < last; j += kTile) {
          const int tile = static_cast<int>(std::min<int64_t>(kTile, last - j));
          Real* out = w + j * kb8 + g * kLanes;
          const Real* c0 = c + j * ldc;
          if (tile == kTile) {
            Lanes a[kTile][kHalves];
            for (int t = 0; t < kTile; ++t)
              for (int h = 0; h < kHalves; ++h) a[t][h] = YNET_LOAD(out + t * kb8 + kVec * h);
            for (int64_t i = i0; i < i1; ++i)
              for (int t = 0; t < kTile; ++t) {
                const Real y = c0[i + t * ldc];
                for (int h = 0; h < kHalves; ++h) a[t][h] += YNET_LOAD(v + i * kLanes + kVec * h) * y;
              }
            for (int t = 0; t < kTile; ++t)
              for (int h = 0; h < kHalves; ++h) YNET_STORE(out + t * kb8 + kVec * h, a[t][h]);
            continue;
          }
          for (int t = 0; t < tile; ++t) {  // the same sums, a column at a time
            Lanes a[kHalves];
            for (int h = 0; h < kHalves; ++h) a[h] = YNET_LOAD(out + t * kb8 + kVec * h);
            for (int64_t i = i0; i < i1; ++i)
              for (int h = 0; h < kHalves; ++h) a[h] += YNET_LOAD(v + i * kLanes + kVec * h) * c0[i + t * ldc];
            for (int h = 0; h < kHalves; ++h) YNET_STORE(out + t * kb8 + kVec * h, a[h]);
          }
        }
      }
    }
  }
}

// W[:, j] <- T W[:, j] for the kb x kb upper triangular T (column-major, kb8 rows), each entry
// summed over T's columns in order.
[[gnu::target_clones("avx512f", "avx2", "default")]]
void triangular_product(int64_t kb, int64_t kb8, const Real* t, int64_t cols, Real* w) {
#pragma omp parallel for schedule(static)
  for (int64_t j = 0; j < cols; ++j) {
    Real* column = w + j * kb8;
    Lanes acc[kPanel / kVec] = {};
    for (int64_t q = 0; q < kb; ++q) {
      const Real x = column[q];
      for (int64_t g = 0; g < kb8 / kVec; ++g) acc[g] += YNET_LOAD(t + q * kb8 + g * kVec) * x;
    }
    for (int64_t g = 0; g < kb8 / kVec; ++g) YNET_STORE(column + g * kVec, acc[g]);
  }
}

// C[i + j*ldc] -= sum over p < kb of V[i, p] W[p + j*kb8] (summed in order of p, then subtracted),
// for i < rows (a multiple of 8) and j < cols. vr holds V as blocks of eight rows:
// vr[(b*kb + p)*8 + l] = V[8b+l, p].
[[gnu::target_clones("avx512f", "avx2", "default")]]
void subtract_product(int64_t rows, int64_t kb, int64_t kb8, const Real* vr, const Real* w, int64_t cols,
                      Real* c, int64_t ldc) {
  const int64_t tasks = (cols + kColumns - 1) / kColumns;
#pragma omp parallel for schedule(static)
  for (int64_t task = 0; task < tasks; ++task) {
    const int64_t first = task * kColumns, last = std::min(cols, first + kColumns);
    for (int64_t b = 0; b < rows / kLanes; ++b) {
      const Real* v = vr + b * kb * kLanes;
      for (int64_t j = first; j < last; j += kTile) {
        const int tile = static_cast<int>(std::min<int64_t>(kTile, last - j));
        const Real* w0 = w + j * kb8;
        Real* out = c + j * ldc + b * kLanes;
        if (tile == kTile) {
          Lanes a[kTile][kHalves];
          for (int t = 0; t < kTile; ++t)
            for (int h = 0; h < kHalves; ++h) a[t][h] = Lanes{};
          for (int64_t p = 0; p < kb; ++p)
            for (int t = 0; t < kTile; ++t) {
              const Real y = w0[p + t * kb8];
              for (int h = 0; h < kHalves; ++h) a[t][h] += YNET_LOAD(v + p * kLanes + kVec * h) * y;
            }
          for (int t = 0; t < kTile; ++t)
            for (int h = 0; h < kHalves; ++h)
              YNET_STORE(out + t * ldc + kVec * h, YNET_LOAD(out + t * ldc + kVec * h) - a[t][h]);
          continue;
        }
        for (int t = 0; t < tile; ++t) {  // the same sums, a column at a time
          Lanes a[kHalves];
          for (int h = 0; h < kHalves; ++h) a[h] = Lanes{};
          for (int64_t p = 0; p < kb; ++p)
            for (int h = 0; h < kHalves; ++h) a[h] += YNET_LOAD(v + p * kLanes + kVec * h) * w0[p + t * kb8];
          for (int h = 0; h < kHalves; ++h)
            YNET_STORE(out + t * ldc + kVec * h, YNET_LOAD(out + t * ldc + kVec * h) - a[h]);
        }
      }
    }
  }
}

// One panel of reflections k0 .. k0+kb-1, drawn and laid out for the products above.
struct Panel {
  int64_t rows = 0, kb = 0, kb8 = 0;  // rows: n - k0 rounded up to 8
  std::vector<Real> vq, vr, t;        // V in both layouts; T column-major, kb8 x kb8
  std::vector<double> sign;           // sign(R_kk)
};

Panel draw_panel(int64_t n, int64_t k0, int64_t kb, uint64_t seed, uint64_t stream) {
  Panel p;
  p.rows = round_up(n - k0, kLanes);
  p.kb = kb;
  p.kb8 = round_up(kb, kLanes);
  std::vector<double> v(static_cast<size_t>(p.rows * p.kb8), 0.0);  // column-major, zero-padded
  std::vector<double> tau(static_cast<size_t>(kb));
  p.sign.resize(static_cast<size_t>(kb));
#pragma omp parallel for schedule(static)
  for (int64_t jj = 0; jj < kb; ++jj) {
    // Householder reflection H = I - tau u u^T with H x = beta e_0, u_0 = 1 (LAPACK's dlarfg), for
    // x = rows k..n-1 of column k of the Gaussian matrix.
    const int64_t k = k0 + jj, m = n - k;
    double* u = v.data() + jj * p.rows + jj;
    standard_normals(seed, stream, static_cast<uint64_t>(k * n + k), static_cast<size_t>(m), u);
    const double alpha = u[0];
    double tail = 0.0;
    for (int64_t i = 1; i < m; ++i) tail += u[i] * u[i];
    double beta = alpha;
    tau[static_cast<size_t>(jj)] = 0.0;
    if (tail > 0.0) {
      const double norm = std::sqrt(alpha * alpha + tail);
      beta = alpha >= 0.0 ? -norm : norm;
      tau[static_cast<size_t>(jj)] = (beta - alpha) / beta;
      const double scale = alpha - beta;
      for (int64_t i = 1; i < m; ++i) u[i] /= scale;
    }
    u[0] = 1.0;
    p.sign[static_cast<size_t>(jj)] = beta < 0.0 ? -1.0 : 1.0;
  }
  // The two layouts.
  p.vq.assign(static_cast<size_t>(p.rows * p.kb8), Real(0));
  p.vr.assign(static_cast<size_t>(p.rows * kb), Real(0));
  std::vector<Real> columns(v.begin(), v.end());
  for (int64_t jj = 0; jj < kb; ++jj)
    for (int64_t i = 0; i < p.rows; ++i) {
      const Real x = columns[static_cast<size_t>(jj * p.rows + i)];
      p.vq[static_cast<size_t>(((jj / kLanes) * p.rows + i) * kLanes + jj % kLanes)] = x;
      p.vr[static_cast<size_t>(((i / kLanes) * kb + jj) * kLanes + i % kLanes)] = x;
    }
  // T (LAPACK's dlarft, forward, columnwise): H_0 ... H_{kb-1} = I - V T V^T with
  // T[0:j, j] = -tau_j T[0:j, 0:j] (V^T V)[0:j, j] and T[j, j] = tau_j.
  std::vector<Real> gram(static_cast<size_t>(p.kb8 * kb));
  transposed_product(p.rows, p.kb8, p.vq.data(), columns.data(), p.rows, kb, gram.data());
  std::vector<double> t(static_cast<size_t>(p.kb8 * p.kb8), 0.0);
  for (int64_t j = 0; j < kb; ++j) {
    const double tj = tau[static_cast<size_t>(j)];
    for (int64_t i = 0; i < j; ++i) {
      double s = 0.0;
      for (int64_t l = i; l < j; ++l) s += t[static_cast<size_t>(l * p.kb8 + i)] * -tj * gram[static_cast<size_t>(j * p.kb8 + l)];
      t[static_cast<size_t>(j * p.kb8 + i)] = s;
    }
    t[static_cast<size_t>(j * p.kb8 + j)] = tj;
  }
  p.t.assign(t.begin(), t.end());
  return p;
}

}  // namespace

std::vector<double> random_orthogonal(int64_t n, uint64_t seed, uint64_t stream) {
  // Q column-major with a leading dimension off powers of two (columns 2^k doubles apart would share
  // cache sets), zero below row n.
  const int64_t ld = round_up(n, kLanes) + kLanes;
  std::vector<Real> q(static_cast<size_t>(ld * n), Real(0));
  for (int64_t i = 0; i < n; ++i) q[static_cast<size_t>(i * ld + i)] = Real(1);
  std::vector<double> sign(static_cast<size_t>(n), 1.0);
  // Q = H_0 H_1 ... H_{n-2}, accumulated from the last panel to the first (LAPACK's dorgqr): panel k0
  // changes only rows and columns k0.. of Q.
  const int64_t reflections = n - 1;
  std::vector<Real> w;
  for (int64_t k0 = (reflections - 1) / kPanel * kPanel; k0 >= 0 && reflections > 0; k0 -= kPanel) {
    const int64_t kb = std::min(kPanel, reflections - k0);
    const Panel p = draw_panel(n, k0, kb, seed, stream);
    std::copy(p.sign.begin(), p.sign.end(), sign.begin() + k0);
    const int64_t cols = n - k0;
    Real* block = q.data() + k0 * ld + k0;
    w.resize(static_cast<size_t>(p.kb8 * cols));
    transposed_product(p.rows, p.kb8, p.vq.data(), block, ld, cols, w.data());  // W = V^T Q
    triangular_product(kb, p.kb8, p.t.data(), cols, w.data());                  // W = T V^T Q
    subtract_product(p.rows, kb, p.kb8, p.vr.data(), w.data(), cols, block, ld); // Q -= V T V^T Q
  }
  // R's last diagonal entry is the last Gaussian number itself (no reflection is left to make it
  // negative), so its sign is that number's.
  double last = 0.0;
  standard_normals(seed, stream, static_cast<uint64_t>(n * n - 1), 1, &last);
  sign[static_cast<size_t>(n - 1)] = last < 0.0 ? -1.0 : 1.0;
  std::vector<double> out(static_cast<size_t>(n * n));
  for (int64_t i = 0; i < n; ++i)
    for (int64_t j = 0; j < n; ++j)
      out[static_cast<size_t>(i * n + j)] = q[static_cast<size_t>(j * ld + i)] * sign[static_cast<size_t>(j)];
  return out;
}

}  // namespace ynet::train

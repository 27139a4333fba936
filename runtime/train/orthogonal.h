#pragma once
// Random orthogonal matrices for the `orthogonal` initialiser, distributed as TensorFlow's and
// PyTorch's orthogonal initialisers draw them: Haar-distributed (uniform over the orthogonal group),
// the Q of the QR decomposition of a Gaussian matrix with its columns' signs fixed so that R has a
// positive diagonal (Mezzadri, "How to generate random matrices from the classical compact groups",
// 2007).
//
// The matrix is computed as Householder QR would form it, without the work of factorising: the
// Householder vector of QR step k is built from column k of the partly reduced matrix, rows k..n-1,
// which for a Gaussian matrix is again a standard Gaussian vector independent of the steps before
// (the reflections applied to it are orthogonal and independent of it). So the vectors are drawn
// directly, the lower triangle of a Gaussian matrix, and Q = H_0 H_1 ... H_{n-2} D is accumulated
// from them, D = diag(sign(R_kk)): the same distribution as QR of a full Gaussian matrix at half
// the arithmetic, no R (Stewart, "The efficient generation of random orthogonal matrices", 1980).
//
// Q is accumulated in double with LAPACK's blocked scheme (dorgqr: panels of 64 reflections applied
// as I - V T V^T), in our own loops: every entry is summed in a fixed order, with no fused
// multiply-adds, on one thread per output column; and the normal numbers use only +, -, *, / and
// sqrt (portable_math.h). The result is the same bits on every platform and for any thread count.
#include <cstdint>
#include <vector>

namespace ynet::train {

// A random orthogonal n x n matrix, row-major, a pure function of (seed, stream): entry (i, j), i >= j,
// of the Gaussian matrix is standard_normal(seed, stream, j * n + i).
std::vector<double> random_orthogonal(int64_t n, uint64_t seed, uint64_t stream);

}  // namespace ynet::train

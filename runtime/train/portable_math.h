#pragma once
// The logarithm, sine and cosine that initialisation needs, computed from +, -, *, / and exact
// scaling alone in a fixed order, so that they give the same bits on every platform, compiler and
// standard library (std::log and std::cos are accurate, but not specified to the last bit). Files
// that use them are compiled with -ffp-contract=off: no multiply-add may be fused on one platform
// and not on another. Accurate to a few units in the last place.
#include <cmath>

namespace ynet::train::portable {

// Natural logarithm of a positive, finite x.
inline double log(double x) {
  int e = 0;
  double m = std::frexp(x, &e);  // x = m 2^e with m in [1/2, 1): exact
  if (m < 0.70710678118654752) {
    m *= 2.0;
    --e;
  }
  // log m = 2 atanh(s), s = (m - 1) / (m + 1), |s| <= 0.1716: the series to s^23 is exact in double.
  const double s = (m - 1.0) / (m + 1.0);
  const double z = s * s;
  double p = 1.0 / 23.0;
  for (int k = 21; k >= 1; k -= 2) p = p * z + 1.0 / static_cast<double>(k);
  constexpr double kLn2High = 0.6931471803691238;  // ln 2 split so that e * kLn2High is exact
  constexpr double kLn2Low = 1.9082149292705877e-10;
  const auto scale = static_cast<double>(e);
  return scale * kLn2High + (scale * kLn2Low + 2.0 * s * p);
}

// sin(2 pi t) and cos(2 pi t) for t in [0, 1).
inline void sincos_turns(double t, double& sine, double& cosine) {
  const double quarters = 4.0 * t;  // exact
  const int quadrant = static_cast<int>(quarters);
  const double a = (quarters - quadrant) * 1.5707963267948966;  // in [0, pi/2)
  const double z = a * a;
  // Taylor series to a^23 and a^24: below 1e-17 on [0, pi/2).
  constexpr double kSin[] = {-3.868170170630684e-23, 1.9572941063391263e-20, -8.22063524662433e-18,
                             2.8114572543455206e-15, -7.647163731819816e-13, 1.6059043836821613e-10,
                             -2.505210838544172e-08, 2.7557319223985893e-06, -0.0001984126984126984,
                             0.008333333333333333,   -0.16666666666666666,   1.0};
  constexpr double kCos[] = {1.6117375710961184e-24, -8.896791392450574e-22, 4.110317623312165e-19,
                             -1.5619206968586225e-16, 4.779477332387385e-14, -1.1470745597729725e-11,
                             2.08767569878681e-09,   -2.755731922398589e-07, 2.48015873015873e-05,
                             -0.001388888888888889,  0.041666666666666664,   -0.5,
                             1.0};
  double s = 0.0, c = 0.0;
  for (double k : kSin) s = s * z + k;
  for (double k : kCos) c = c * z + k;
  s *= a;
  switch (quadrant & 3) {
    case 0: sine = s, cosine = c; break;
    case 1: sine = c, cosine = -s; break;
    case 2: sine = -s, cosine = -c; break;
    default: sine = -c, cosine = s; break;
  }
}

}  // namespace ynet::train::portable

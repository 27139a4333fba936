#include <doctest/doctest.h>

#include <algorithm>
#include <vector>

#include "ops/multiply/cpu.h"
#include "ops/multiply/reference.h"
#include "tests/ops/gradcheck.h"

using ynet::ops::multiply::MultiplyShape;
namespace reference = ynet::ops::multiply::reference;
namespace t = ynet::testing;

TEST_CASE("multiply reference gradients match central differences, same shapes and runs") {
  for (const MultiplyShape& s : {MultiplyShape{12, 1}, MultiplyShape{24, 4}}) {
    const auto a = t::random_vector(s.elements, 1), b = t::random_vector(s.elements / s.run, 2);
    const auto upstream = t::random_vector(s.elements, 3);
    std::vector<double> da(a.size()), db(b.size());
    reference::backward(s, a.data(), b.data(), upstream.data(), da.data(), db.data());
    const auto loss_a = [&](const std::vector<double>& v) {
      std::vector<double> y(s.elements);
      reference::forward(s, v.data(), b.data(), y.data());
      return t::dot(y, upstream);
    };
    const auto loss_b = [&](const std::vector<double>& v) {
      std::vector<double> y(s.elements);
      reference::forward(s, a.data(), v.data(), y.data());
      return t::dot(y, upstream);
    };
    CHECK(t::gradient_error(loss_a, a, da) <= 1e-7);
    CHECK(t::gradient_error(loss_b, b, db) <= 1e-7);
  }
}

TEST_CASE("multiply CPU kernel matches the reference in fp32") {
  for (const MultiplyShape& s : {MultiplyShape{1, 1}, MultiplyShape{1000, 1}, MultiplyShape{30 * 8 * 64, 64}}) {
    const auto a = t::round_to_float(t::random_vector(s.elements, 4));
    const auto b = t::round_to_float(t::random_vector(s.elements / s.run, 5));
    const auto dy = t::round_to_float(t::random_vector(s.elements, 6));
    std::vector<double> y(a.size()), da(a.size()), db(b.size());
    reference::forward(s, a.data(), b.data(), y.data());
    reference::backward(s, a.data(), b.data(), dy.data(), da.data(), db.data());
    const auto af = t::to_float(a), bf = t::to_float(b), dyf = t::to_float(dy);
    std::vector<float> yf(y.size()), daf(da.size()), dbf(db.size());
    ynet::ops::multiply::cpu::forward(s, af.data(), bf.data(), yf.data());
    ynet::ops::multiply::cpu::backward(s, af.data(), bf.data(), dyf.data(), daf.data(), dbf.data());
    CHECK(t::normwise_relative_error(yf, y) <= 1e-6);
    CHECK(t::normwise_relative_error(daf, da) <= 1e-6);
    CHECK(t::normwise_relative_error(dbf, db) <= 1e-5);
    // Either gradient may be absent.
    std::vector<float> only_db(db.size());
    ynet::ops::multiply::cpu::backward(s, af.data(), bf.data(), dyf.data(), nullptr, only_db.data());
    CHECK(only_db == dbf);
  }
}

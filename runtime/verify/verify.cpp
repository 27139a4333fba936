#include "runtime/verify/verify.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

#include "runtime/backend/arena_backend.h"
#include "runtime/backend/backend.h"
#include "runtime/train/initialize.h"
#include "runtime/verify/step_by_step.h"

namespace ynet::verify {
namespace {

double max_abs(const std::vector<float>& v) {
  double m = 0;
  for (float x : v) m = std::max(m, static_cast<double>(std::fabs(x)));
  return m;
}

// Largest difference relative to the reference tensor's largest magnitude: elementwise relative
// error is meaningless for entries that are nearly zero. `floor` keeps the same from happening to
// a whole tensor whose exact value is zero (BatchNorm -> Dense without bias -> BatchNorm: the
// second BatchNorm removes any shift of the first one's beta), where the difference is rounding
// noise of the size of the other gradients.
double relative_error(const std::vector<float>& tested, const std::vector<float>& ref, double floor = 0) {
  double diff = 0;
  for (size_t i = 0; i < ref.size(); ++i)
    diff = std::max(diff, static_cast<double>(std::fabs(tested[i] - ref[i])));
  if (!std::isfinite(diff)) return INFINITY;
  return diff / std::max({max_abs(ref), floor, 1e-12});
}

std::vector<float> read(const runtime::Backend& b, int value) {
  std::vector<float> out(static_cast<size_t>(b.plan().graph.value(value).elements()));
  b.read(value, out);
  return out;
}

// The loss and the gradients for the current parameters; the optimizer does not run.
double forward_backward(runtime::Backend& backend, const runtime::StepContext& ctx) {
  backend.forward(ctx);
  backend.run(ir::Phase::Backward, ctx);
  std::vector<float> loss(1);
  backend.read(backend.plan().graph.loss, loss);
  return loss[0];
}

}  // namespace

bool Report::passed() const {
  return std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.passed(); });
}

std::string Report::table() const {
  std::string out = fmt::format("{:<44} {:<20} {:>12} {:>10}  {}\n", "tensor", "check", "worst error", "tolerance", "");
  for (const Check& c : checks)
    out += fmt::format("{:<44} {:<20} {:>12.3e} {:>10.0e}  {}\n", c.tensor, c.kind, c.error, c.tolerance,
                       c.passed() ? "ok" : "FAIL");
  return out;
}

Report run(const plan::Plan& plan, const Options& options) {
  if (plan.graph.loss < 0) throw std::invalid_argument("verify needs a train plan");
  Report report;
  const runtime::StepContext ctx{1, 0.0, options.seed};

  auto reference = runtime::make_backend("reference", {});
  prepare(*reference, plan, options.seed);
  auto& ref_buffers = static_cast<runtime::ArenaBackend<double>&>(*reference).buffers();

  // The reference at full precision: its gradients against central differences of its loss.
  forward_backward(*reference, ctx);
  std::vector<std::vector<double>> ref_grads;
  for (const ir::ParamEntry& p : plan.graph.params) {
    if (p.grad < 0) {
      ref_grads.emplace_back();
      continue;
    }
    const auto span = ref_buffers.span(p.grad);
    ref_grads.emplace_back(span.begin(), span.end());
  }
  auto loss_only = [&] {
    reference->forward(ctx);
    return ref_buffers.f(plan.graph.loss)[0];
  };
  for (size_t k = 0; k < plan.graph.params.size(); ++k) {
    const ir::ParamEntry& p = plan.graph.params[k];
    if (p.grad < 0) continue;
    const std::vector<double>& g = ref_grads[k];
    double* w = ref_buffers.f(p.value);
    const size_t n = g.size();
    const std::vector<double> saved(w, w + n);
    // Directional derivatives along random unit directions: the sum g.d carries the signal of every
    // entry, where a single entry's gradient can drown in the rounding of a loss over thousands of
    // classes.
    std::vector<double> direction(n);
    double worst = 0;
    for (int probe = 0; probe < options.samples; ++probe) {
      double norm = 0;
      for (size_t i = 0; i < n; ++i) {
        direction[i] = train::standard_normal(options.seed, train::name_hash(p.name) + static_cast<uint64_t>(probe), i);
        norm += direction[i] * direction[i];
      }
      norm = std::sqrt(norm);
      double analytic = 0, scale = 0;
      for (size_t i = 0; i < n; ++i) {
        direction[i] /= norm;
        analytic += g[i] * direction[i];
        scale = std::max(scale, std::fabs(saved[i]));
      }
      const double h = options.step * std::max(1.0, scale);
      for (size_t i = 0; i < n; ++i) w[i] = saved[i] + h * direction[i];
      const double up = loss_only();
      for (size_t i = 0; i < n; ++i) w[i] = saved[i] - h * direction[i];
      const double down = loss_only();
      std::copy(saved.begin(), saved.end(), w);
      const double fd = (up - down) / (2 * h);
      // What rounding in the two losses leaves unresolved is not an error of the gradient.
      const double rounding = 64 * std::numeric_limits<double>::epsilon() * std::max(std::fabs(up), std::fabs(down)) / h;
      const double excess = std::max(0.0, std::fabs(fd - analytic) - rounding);
      worst = std::max(worst, excess / std::max({std::fabs(fd), std::fabs(analytic), 1e-12}));
    }
    report.checks.push_back({p.name, "finite differences", worst, options.fd_tolerance});
  }
  if (options.backend == "reference") return report;

  // The tested backend on the same parameters and batch.
  forward_backward(*reference, ctx);
  auto tested = runtime::make_backend(options.backend, {});
  prepare(*tested, plan, options.seed);
  forward_backward(*tested, ctx);
  report.checks.push_back({"loss", "loss", relative_error(read(*tested, plan.graph.loss), read(*reference, plan.graph.loss)),
                           options.tolerance});
  for (int v : plan.graph.live_out)
    if (v != plan.graph.loss)
      report.checks.push_back({plan.graph.value(v).name, "output", relative_error(read(*tested, v), read(*reference, v)),
                               options.tolerance});
  // The floor of a gradient's scale: a share of the largest gradient of any parameter.
  double largest_gradient = 0;
  for (const ir::ParamEntry& p : plan.graph.params)
    if (p.grad >= 0) largest_gradient = std::max(largest_gradient, max_abs(read(*reference, p.grad)));
  const double floor = options.gradient_floor * largest_gradient;
  for (const ir::ParamEntry& p : plan.graph.params)
    if (p.grad >= 0)
      report.checks.push_back({p.name, "gradient",
                               relative_error(read(*tested, p.grad), read(*reference, p.grad), floor),
                               options.tolerance});
  return report;
}

}  // namespace ynet::verify

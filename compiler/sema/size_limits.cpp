#include "compiler/sema/size_limits.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>

namespace ynet::sema {
namespace {

struct Contribution {
  const LayerNode* node = nullptr;
  double bytes = 0;
  double flops = 0;
};

struct Totals {
  double bytes = 0;
  double flops = 0;
  Contribution largest_bytes, largest_flops;
};

double time_steps(const Shape& shape, int64_t max_frames) {
  for (const Dim& d : shape)
    if (d.kind == Dim::Kind::Time) return static_cast<double>(max_frames > 0 ? max_frames : d.value);
  return 1;
}

// Per layer: its output and the gradient flowing back into it, a workspace of the same size, its
// parameters with their gradients and two optimizer slots; a multiply-add per parameter and time
// step and sample, forward and twice backward, and a few operations per output value. A layer
// that reads frames applies its parameters to every frame even when it pools them (NetVLAD's
// [B, T, F] -> [B, K*F]): its time steps are its input's, and each weight matrix [in, out] makes
// `out` values per frame on the way.
void add_nodes(const std::vector<LayerNode>& nodes, double batch, int64_t max_frames, double replicas, Totals& totals) {
  for (const LayerNode& node : nodes) {
    double values = batch, steps = time_steps(node.shape, max_frames);
    for (const Dim& d : node.shape) {
      if (d.kind == Dim::Kind::Const) values *= static_cast<double>(d.value);
      if (d.kind == Dim::Kind::Time) values *= steps;
    }
    double input_steps = 1;
    for (const int input : node.inputs)
      input_steps = std::max(input_steps, time_steps(nodes.at(static_cast<size_t>(input)).shape, max_frames));
    double parameters = 0;
    for (const ParamInfo& p : node.params) {
      double size = 1;
      for (const int64_t d : p.shape) size *= static_cast<double>(d);
      parameters += size;
      if (input_steps > steps && p.shape.size() >= 2) values += batch * input_steps * static_cast<double>(p.shape.back());
    }
    steps = std::max(steps, input_steps);
    Contribution c{&node, replicas * 4.0 * (3.0 * values) + 4.0 * 4.0 * parameters,
                   replicas * 3.0 * (2.0 * parameters / replicas * steps * batch + 10.0 * values)};
    totals.bytes += c.bytes;
    totals.flops += c.flops;
    if (c.bytes > totals.largest_bytes.bytes) totals.largest_bytes = c;
    if (c.flops > totals.largest_flops.flops) totals.largest_flops = c;
    for (const SubNetwork& sub : node.subnetworks)
      add_nodes(sub.nodes, batch, max_frames, replicas * static_cast<double>(sub.replicas), totals);
  }
}

}  // namespace

std::string format_bytes(double bytes) {
  static const char* units[] = {"bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"};
  int unit = 0;
  while (bytes >= 1024 && unit < 8) {
    bytes /= 1024;
    ++unit;
  }
  return unit == 0 ? fmt::format("{:.0f} bytes", bytes) : fmt::format("{:.3g} {}", bytes, units[unit]);
}

std::optional<SizeProblem> find_size_problem(const CheckedModel& model, int64_t batch, int64_t max_frames) {
  Totals totals;
  add_nodes(model.nodes, static_cast<double>(batch), model.input.level == InputSpec::Level::Frame ? max_frames : 0, 1.0,
            totals);
  const std::string hint = "a smaller batch, fewer frames or smaller layers bring it within the limit";
  if (!(totals.bytes <= kMaxStepBytes)) {
    const Contribution& c = totals.largest_bytes;
    return SizeProblem{c.node->loc,
                       fmt::format("at batch {} a training step needs about {} of memory, more than the {} limit of "
                                   "64-bit size arithmetic; `{}` alone needs {}",
                                   batch, format_bytes(totals.bytes), format_bytes(kMaxStepBytes), c.node->name,
                                   format_bytes(c.bytes)),
                       hint};
  }
  if (!(totals.flops <= kMaxStepFlops)) {
    const Contribution& c = totals.largest_flops;
    return SizeProblem{c.node->loc,
                       fmt::format("at batch {} a training step takes about {:.3g} floating-point operations, more "
                                   "than the limit of 2^58 ({:.3g}) of 64-bit FLOP counts; `{}` alone takes {:.3g}",
                                   batch, totals.flops, kMaxStepFlops, c.node->name, c.flops),
                       hint};
  }
  return std::nullopt;
}

}  // namespace ynet::sema

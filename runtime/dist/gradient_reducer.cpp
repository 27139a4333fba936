#include "runtime/dist/gradient_reducer.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <stdexcept>

namespace ynet::dist {

GradientReducer::GradientReducer(const plan::Plan& plan, runtime::Backend& backend, Collectives& collectives,
                                 int64_t bucket_bytes)
    : backend_(backend), collectives_(collectives) {
  const std::span<const int> steps = backend.steps_of(ir::Phase::Backward);
  // The position in the backward phase after which each gradient holds its final value.
  struct Gradient {
    size_t ready_after = 0;
    float* data = nullptr;
    size_t count = 0;
  };
  std::vector<Gradient> gradients;
  for (const ir::ParamEntry& p : plan.graph.params) {
    if (p.grad < 0) continue;
    Gradient g;
    bool written = false;
    for (size_t position = 0; position < steps.size(); ++position) {
      const ir::Node& node = plan.graph.nodes[static_cast<size_t>(steps[position])];
      if (std::find(node.outputs.begin(), node.outputs.end(), p.grad) != node.outputs.end()) {
        g.ready_after = position;
        written = true;
      }
    }
    if (!written) throw std::logic_error(fmt::format("no backward step writes the gradient of '{}'", p.name));
    g.data = backend.host_floats(p.grad);
    if (g.data == nullptr)
      throw std::runtime_error(fmt::format("data-parallel training runs on the cpu backend; the {} backend's gradients "
                                           "are not in host memory",
                                           backend.name()));
    g.count = static_cast<size_t>(plan.graph.value(p.grad).elements());
    bytes_ += static_cast<int64_t>(g.count * sizeof(float));
    gradients.push_back(g);
  }
  std::stable_sort(gradients.begin(), gradients.end(),
                   [](const Gradient& a, const Gradient& b) { return a.ready_after < b.ready_after; });

  // Consecutive gradients fill a bucket up to bucket_bytes; within a bucket, buffers that touch in
  // the arena merge into one range.
  int64_t in_bucket = bucket_bytes;
  for (const Gradient& g : gradients) {
    if (in_bucket >= bucket_bytes) {
      buckets_.emplace_back();
      in_bucket = 0;
    }
    Bucket& bucket = buckets_.back();
    bucket.ready_after = g.ready_after;
    in_bucket += static_cast<int64_t>(g.count * sizeof(float));
    all_.push_back({g.data, g.count});
    std::vector<Range>& ranges = bucket.ranges;
    if (!ranges.empty() && ranges.back().data + ranges.back().count == g.data) ranges.back().count += g.count;
    else if (!ranges.empty() && g.data + g.count == ranges.back().data) ranges.back() = {g.data, ranges.back().count + g.count};
    else ranges.push_back({g.data, g.count});
  }
  for (const Bucket& b : buckets_) calls_ += b.ranges.size();
}

void GradientReducer::backward(const runtime::StepContext& ctx) {
  const size_t steps = backend_.steps_of(ir::Phase::Backward).size();
  size_t next_bucket = 0;
  for (size_t position = 0; position < steps; ++position) {
    backend_.run_step(ir::Phase::Backward, position, ctx);
    while (next_bucket < buckets_.size() && buckets_[next_bucket].ready_after <= position) {
      for (const Range& r : buckets_[next_bucket].ranges) collectives_.start_sum(r.data, r.count);
      ++next_bucket;
    }
    collectives_.progress();
  }
  const auto waiting = std::chrono::steady_clock::now();
  collectives_.wait_all();
  seconds_waiting_ += std::chrono::duration<double>(std::chrono::steady_clock::now() - waiting).count();
  const float scale = 1.0f / static_cast<float>(collectives_.size());
  for (const Range& r : all_)
    for (size_t i = 0; i < r.count; ++i) r.data[i] *= scale;
}

}  // namespace ynet::dist

#pragma once
// The host backends (reference and CPU) share everything but their element type and their step
// table: an arena of T, buffer copies, and steps bound once and run in plan order.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <vector>

#include "runtime/backend/backend.h"
#include "ops/op.h"

namespace ynet::runtime {

template <class T>
class ArenaBackend : public Backend {
 public:
  ArenaBackend(std::string name, const StepTable<T>& table) : name_(std::move(name)), table_(table) {}

  std::string name() const override { return name_; }

  void bind(const plan::Plan& plan) override {
    plan_ = &plan;
    for (auto& phase : steps_) phase.clear();
    for (auto& phase : node_of_step_) phase.clear();
    try {
      buffers_ = std::make_unique<Buffers<T>>(plan);
    } catch (const std::bad_alloc&) {
      throw BindError(fmt::format("cannot allocate the {} arena of the plan ({:.1f} MiB); try a smaller --batch",
                                  name_, static_cast<double>(plan.memory.arena_bytes) * sizeof(T) / 4 / (1 << 20)));
    }
    attach(*buffers_);
    for (size_t i = 0; i < plan.graph.nodes.size(); ++i) {
      const ir::Node& node = plan.graph.nodes[i];
      auto it = table_.find(node.op);
      if (it == table_.end())
        throw BindError(fmt::format("step {} ({}, layer '{}'): the {} backend has no kernel for this op", i, node.op,
                                    node.layer, name_));
      try {
        steps_[static_cast<size_t>(node.phase)].push_back(it->second(node, *buffers_));
        node_of_step_[static_cast<size_t>(node.phase)].push_back(static_cast<int>(i));
      } catch (const BindError&) {
        throw;
      } catch (const std::exception& e) {
        throw BindError(fmt::format("step {} ({}, layer '{}'): {}", i, node.op, node.layer, e.what()));
      }
    }
  }

  void run(ir::Phase phase, const StepContext& ctx) override {
    for (auto& step : steps_[static_cast<size_t>(phase)]) step->run(ctx);
  }
  std::span<const int> steps_of(ir::Phase phase) const override { return node_of_step_[static_cast<size_t>(phase)]; }
  void run_step(ir::Phase phase, size_t position, const StepContext& ctx) override {
    steps_[static_cast<size_t>(phase)].at(position)->run(ctx);
  }

  void write(int value, std::span<const float> data) override {
    parallel_copy(data, checked(value, data.size(), ir::DType::F32));
  }
  void write(int value, std::span<const uint8_t> data) override {
    checked_size(value, data.size(), ir::DType::U8);
    parallel_copy(data, buffers_->arena_u8(value));
    buffers_->reclaim(value);
  }
  void lend(int value, std::span<const uint8_t> data) override {
    checked_size(value, data.size(), ir::DType::U8);
    if (!buffers_->lend(value, data.data())) write(value, data);
  }
  void write(int value, std::span<const int32_t> data) override {
    checked_size(value, data.size(), ir::DType::I32);
    std::copy(data.begin(), data.end(), buffers_->i(value));
  }
  void read(int value, std::span<float> out) const override {
    const T* src = checked(value, out.size(), ir::DType::F32);
    std::transform(src, src + out.size(), out.begin(), [](T v) { return static_cast<float>(v); });
  }
  void synchronize() override {}

  // The reference backend's buffers, for `ynet verify`'s double-precision checks.
  Buffers<T>& buffers() { return *buffers_; }

 protected:
  // Lets the CPU backend hand its oneDNN engine and stream to the kernels.
  virtual void attach(Buffers<T>&) {}

 private:
  // A batch of frames is up to hundreds of MB, a copy bound by memory bandwidth that one core
  // cannot saturate (BoF_4096's 212 MB of floats: 28 ms on one thread, 14 ms on two); the thread
  // pool is idle between steps anyway. Chunks are whole 256 KiB runs.
  template <class From, class To>
  static void parallel_copy(std::span<const From> data, To* dst) {
    constexpr size_t kChunk = (size_t{1} << 18) / sizeof(From);
    const auto chunks = static_cast<int64_t>((data.size() + kChunk - 1) / kChunk);
#pragma omp parallel for schedule(static) if (chunks > 16)
    for (int64_t c = 0; c < chunks; ++c) {
      const size_t begin = static_cast<size_t>(c) * kChunk, end = std::min(data.size(), begin + kChunk);
      std::copy(data.begin() + static_cast<std::ptrdiff_t>(begin), data.begin() + static_cast<std::ptrdiff_t>(end),
                dst + begin);
    }
  }

  void checked_size(int value, size_t size, ir::DType dtype) const {
    if (!plan_ || value < 0 || value >= static_cast<int>(plan_->graph.values.size()))
      throw std::out_of_range(fmt::format("no buffer {} in the bound plan", value));
    const ir::Value& v = plan_->graph.value(value);
    if (v.dtype != dtype || static_cast<int64_t>(size) != v.elements())
      throw std::invalid_argument(fmt::format("buffer '{}' holds {} {} elements, not {}", v.name, v.elements(),
                                              ir::to_string(v.dtype), size));
  }
  T* checked(int value, size_t size, ir::DType dtype) const {
    checked_size(value, size, dtype);
    return buffers_->f(value);
  }

  std::string name_;
  const StepTable<T>& table_;
  std::unique_ptr<Buffers<T>> buffers_;
  std::array<std::vector<std::unique_ptr<BoundStep>>, 5> steps_;
  std::array<std::vector<int>, 5> node_of_step_;
};

}  // namespace ynet::runtime

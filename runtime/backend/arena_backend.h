#pragma once
// The host backends (reference and CPU) share everything but their element type and their step
// table: an arena of T, buffer copies, and steps bound once and run in plan order.
#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <type_traits>
#include <vector>

#include "runtime/backend/backend.h"
#include "runtime/backend/bound_plan.h"
#include "ops/op.h"

namespace ynet::runtime {

template <class T>
class ArenaBackend : public Backend {
 public:
  ArenaBackend(std::string name, const StepTable<T>& table) : name_(std::move(name)), table_(table) {}

  std::string name() const override { return name_; }

  void bind(const plan::Plan& plan) override {
    plan_ = &plan;
    bound_.clear();
    try {
      buffers_ = std::make_unique<Buffers<T>>(plan);
    } catch (const std::bad_alloc&) {
      throw BindError(fmt::format("cannot allocate the {} arena of the plan ({:.1f} MiB); try a smaller --batch",
                                  name_, static_cast<double>(plan.memory.arena_bytes) * sizeof(T) / 4 / (1 << 20)));
    }
    attach(*buffers_);
    bound_.bind(plan, table_, *buffers_, name_);
  }

  void run(ir::Phase phase, const StepContext& ctx) override { bound_.run(phase, ctx); }
  std::span<const int> steps_of(ir::Phase phase) const override { return bound_.steps_of(phase); }
  void run_step(ir::Phase phase, size_t position, const StepContext& ctx) override {
    bound_.run_step(phase, position, ctx);
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
  float* host_floats(int value) override {
    if constexpr (std::is_same_v<T, float>) return checked(value, static_cast<size_t>(plan_->graph.value(value).elements()),
                                                           ir::DType::F32);
    else return nullptr;
  }

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

  void checked_size(int value, size_t size, ir::DType dtype) const { check_buffer_copy(plan_, value, size, dtype); }
  T* checked(int value, size_t size, ir::DType dtype) const {
    checked_size(value, size, dtype);
    return buffers_->f(value);
  }

  std::string name_;
  const StepTable<T>& table_;
  std::unique_ptr<Buffers<T>> buffers_;
  BoundPlan<Buffers<T>, StepTable<T>> bound_;  // last: its steps go before the buffers they point into
};

}  // namespace ynet::runtime

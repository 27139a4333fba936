#pragma once
// A bound plan's buffers on the host: one arena of T (double for the reference backend, float for
// the CPU backend) holding every float and u8 buffer at its planned offset, int32 buffers beside it.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <span>
#include <stdexcept>
#include <vector>

#include "compiler/plan/plan.h"
#include "runtime/memory/large_buffer.h"

namespace ynet::runtime {

template <class T>
class Buffers {
 public:
  // The plan's offsets count 4-byte elements; a double arena keeps the element positions.
  explicit Buffers(const plan::Plan& plan) : plan_(&plan) {
    const int64_t elements = plan.memory.arena_bytes / 4 + 16;
    arena_.assign(static_cast<size_t>(elements), T(0));
    ints_.resize(plan.graph.values.size());
    for (const ir::Value& v : plan.graph.values)
      if (v.dtype == ir::DType::I32) ints_[static_cast<size_t>(v.id)].assign(static_cast<size_t>(v.elements()), 0);
  }

  const plan::Plan& plan() const { return *plan_; }
  const ir::Value& value(int id) const { return plan_->graph.value(id); }
  int64_t elements(int id) const { return value(id).elements(); }

  // nullptr for an absent operand (-1).
  T* f(int id) {
    if (id < 0) return nullptr;
    const int64_t off = plan_->memory.offset.at(static_cast<size_t>(id));
    if (off < 0) throw std::logic_error("buffer " + value(id).name + " has no place in the arena");
    return arena_.data() + off / 4;
  }
  int32_t* i(int id) { return id < 0 ? nullptr : ints_.at(static_cast<size_t>(id)).data(); }
  // A u8 buffer's bytes, at its planned place: the plan gives it bytes() / 4 elements of T, which
  // hold its bytes in either arena.
  uint8_t* u8(int id) {
    if (id >= 0 && value(id).dtype != ir::DType::U8) throw std::logic_error("buffer " + value(id).name + " is not u8");
    return reinterpret_cast<uint8_t*>(f(id));
  }
  std::span<T> span(int id) { return {f(id), static_cast<size_t>(elements(id))}; }

  // State shared by the steps of one layer, such as an LSTM kernel whose forward step keeps what its
  // backward step reads. The first step to ask creates it.
  template <class K, class Make>
  std::shared_ptr<K> shared(const std::string& key, Make make) {
    auto& slot = shared_[key];
    if (!slot) slot = std::shared_ptr<void>(make());
    return std::static_pointer_cast<K>(slot);
  }

  // Set by the CPU backend for its oneDNN kernels; unused by the reference backend.
  dnnl::engine* engine = nullptr;
  dnnl::stream* stream = nullptr;

 private:
  const plan::Plan* plan_;
  std::vector<T, memory::LargeBufferAllocator<T>> arena_;
  std::vector<std::vector<int32_t>> ints_;
  std::map<std::string, std::shared_ptr<void>> shared_;
};

}  // namespace ynet::runtime

#pragma once
// A bound plan's buffers on the host: one arena of T (double for the reference backend, float for
// the CPU backend) holding every float and u8 buffer at its planned offset, int32 buffers beside it.
#include <oneapi/dnnl/dnnl.hpp>

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <set>
#include <span>
#include <stdexcept>
#include <vector>

#include "plan/plan.h"
#include "ops/support/large_buffer.h"
#include "ops/support/step_buffers.h"

namespace ynet::runtime {

template <class T>
class Buffers {
 public:
  using Element = T;

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
  // hold its bytes in either arena. A step that keeps this address makes the buffer a copy: it
  // can no longer be lent (lend()).
  uint8_t* u8(int id) {
    if (id >= 0) pinned_.insert(id);
    return arena_u8(id);
  }
  // The cell a step reads a u8 input's address from when it runs: the buffer's place in the arena,
  // or memory the caller lent for the step (lend()), which spares copying a batch of frames in.
  const uint8_t* const* u8_cell(int id) {
    auto& cell = cells_[id];
    if (!cell) cell = std::make_unique<const uint8_t*>(arena_u8(id));
    return cell.get();
  }
  // Points the cells of `id` at `data`; false (nothing changed) when a step reads the buffer at
  // its arena address, or none reads it through a cell: the caller copies then.
  bool lend(int id, const uint8_t* data) {
    const auto cell = cells_.find(id);
    if (cell == cells_.end() || pinned_.count(id) > 0) return false;
    *cell->second = data;
    return true;
  }
  // After a copy into the arena the cells point there again.
  void reclaim(int id) {
    if (const auto cell = cells_.find(id); cell != cells_.end()) *cell->second = arena_u8(id);
  }
  // The arena address, for the backend's own copies.
  uint8_t* arena_u8(int id) {
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
  std::map<int, std::unique_ptr<const uint8_t*>> cells_;  // stable addresses, captured by steps
  std::set<int> pinned_;
};

static_assert(StepBuffers<Buffers<double>> && StepBuffers<Buffers<float>>);

}  // namespace ynet::runtime

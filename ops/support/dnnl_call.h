#pragma once
// Helpers for running oneDNN primitives without any allocation per step: memory objects are created
// once without a buffer and pointed at the caller's buffers before each execution, and the argument
// list handed to oneDNN is built once instead of per call (the C++ execute() builds a map and a
// vector every time).

#include <oneapi/dnnl/dnnl.hpp>

#include <initializer_list>
#include <utility>
#include <vector>

namespace ynet::ops::dnnl_call {

inline dnnl::memory unbound_memory(const dnnl::memory::desc& desc, const dnnl::engine& engine) {
  return dnnl::memory(desc, engine, DNNL_MEMORY_NONE);
}

// oneDNN takes a non-const handle for inputs too; it never writes through a source argument.
inline void bind(const dnnl::memory& memory, const void* data) { memory.set_data_handle(const_cast<void*>(data)); }

inline dnnl::memory::desc plain_desc(const dnnl::memory::dims& dims, dnnl::memory::format_tag tag) {
  return dnnl::memory::desc(dims, dnnl::memory::data_type::f32, tag);
}

// A primitive together with its fixed argument list.
class Call {
 public:
  Call() = default;
  Call(dnnl::primitive primitive, std::initializer_list<std::pair<int, dnnl::memory>> args)
      : primitive_(std::move(primitive)) {
    for (const auto& [name, memory] : args) {
      memories_.push_back(memory);
      args_.push_back(dnnl_exec_arg_t{name, memory.get()});
    }
  }

  void execute(const dnnl::stream& stream) const {
    dnnl::error::wrap_c_api(
        dnnl_primitive_execute(primitive_.get(), stream.get(), static_cast<int>(args_.size()), args_.data()),
        "could not execute a primitive");
  }

 private:
  dnnl::primitive primitive_;
  std::vector<dnnl::memory> memories_;  // keeps the handles in args_ alive
  std::vector<dnnl_exec_arg_t> args_;
};

}  // namespace ynet::ops::dnnl_call

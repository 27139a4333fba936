#pragma once
// The CUDA backend lives in a module of its own (runtime/backend/cuda/module.h), opened the first
// time one of these is called, so that commands that never touch a GPU load none of the CUDA
// libraries. The module is looked for beside the running executable, then in the lib folder next
// to its folder (bin/ynet, lib/libynet_cuda_backend.so); the environment variable YNET_CUDA_MODULE
// names another file instead.
#include <memory>
#include <string>

#include "runtime/backend/backend.h"

namespace ynet::runtime {

// Why the CUDA backend cannot run: this ynet was built without it, the module is missing or broken
// (naming each path tried and the dynamic loader's error), or the module says there is no usable
// driver or device. "" when it can.
std::string cuda_module_unavailable_reason();

// precision: "fp32" or "tf32". Throws std::runtime_error with cuda_module_unavailable_reason()
// when the backend cannot run, std::invalid_argument for another precision.
std::unique_ptr<Backend> make_cuda_backend(const std::string& precision);

}  // namespace ynet::runtime

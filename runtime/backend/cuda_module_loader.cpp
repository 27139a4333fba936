#include "runtime/backend/cuda_module_loader.h"

#include <dlfcn.h>
#include <fmt/format.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <system_error>
#include <vector>

#include "runtime/backend/cuda/module.h"

namespace ynet::runtime {
namespace {

// The module's file name, defined by the build when it builds the module; absent otherwise.
#ifdef YNET_CUDA_MODULE_FILE
constexpr const char* kModuleFile = YNET_CUDA_MODULE_FILE;
#else
constexpr const char* kModuleFile = nullptr;
#endif

// The dynamic loader's last error, without the path it usually starts with when that is `path`
// (the messages below name it already).
std::string last_dl_error(const std::filesystem::path& path) {
  const char* error = dlerror();
  std::string text = error ? error : "unknown error";
  const std::string prefix = path.string() + ": ";
  if (text.starts_with(prefix)) text.erase(0, prefix.size());
  return text;
}

// $YNET_CUDA_MODULE alone when set (tests run from the build tree, where the module is not beside
// them); else beside the executable, then in ../lib (an installed bin/, lib/ layout).
std::vector<std::filesystem::path> module_candidates() {
  if (const char* chosen = secure_getenv("YNET_CUDA_MODULE"); chosen && *chosen) return {chosen};
  std::error_code error;
  const std::filesystem::path executable = std::filesystem::read_symlink("/proc/self/exe", error);
  if (error) return {};
  const std::filesystem::path folder = executable.parent_path();
  return {folder / kModuleFile, folder.parent_path() / "lib" / kModuleFile};
}

struct LoadedModule {
  const cuda_module::Entry* entry = nullptr;
  std::string error;  // why entry is null
};

LoadedModule open_module() {
  if (!kModuleFile)
    return {nullptr, "this ynet was built without the CUDA backend (the CUDA toolkit or cuDNN was not found when it was built)"};
  std::string missing;
  for (const std::filesystem::path& path : module_candidates()) {
    void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!handle) {
      const std::string why = last_dl_error(path);
      std::error_code ignored;
      if (std::filesystem::exists(path, ignored))
        return {nullptr, fmt::format("cannot load the CUDA backend module {}: {}", path.string(), why)};
      missing += fmt::format("{}{}: {}", missing.empty() ? "" : "; ", path.string(), why);
      continue;
    }
    // The handle is never closed: the backends made by the module, and the CUDA runtime's state,
    // live in it until the process ends.
    using EntryPoint = const cuda_module::Entry* (*)();
    const auto entry_point = reinterpret_cast<EntryPoint>(dlsym(handle, YNET_CUDA_MODULE_ENTRY));
    if (!entry_point)
      return {nullptr, fmt::format("{} is not a ynet CUDA backend module: {}", path.string(), last_dl_error(path))};
    const cuda_module::Entry* entry = entry_point();
    if (entry->interface_version != cuda_module::kInterfaceVersion)
      return {nullptr, fmt::format("the CUDA backend module {} speaks interface version {}, this ynet version {}: "
                                   "install the module built with this ynet",
                                   path.string(), entry->interface_version, cuda_module::kInterfaceVersion)};
    if (!(entry->layout == cuda_module::Layout{}))
      return {nullptr, fmt::format("the CUDA backend module {} was built from other sources than this ynet (the plan's "
                                   "data structures differ): install the module built with this ynet",
                                   path.string())};
    return {entry, ""};
  }
  if (missing.empty()) return {nullptr, "cannot find the CUDA backend module: the path of the running ynet is unknown"};
  return {nullptr, fmt::format("cannot find the CUDA backend module {} (it belongs beside the ynet binary or in "
                               "../lib; YNET_CUDA_MODULE names another path): {}",
                               kModuleFile, missing)};
}

// Opened once, on first use, by whichever thread asks first.
const LoadedModule& loaded_module() {
  static const LoadedModule module = open_module();
  return module;
}

}  // namespace

std::string cuda_module_unavailable_reason() {
  const LoadedModule& module = loaded_module();
  return module.entry ? module.entry->unavailable_reason() : module.error;
}

std::unique_ptr<Backend> make_cuda_backend(const std::string& precision) {
  const LoadedModule& module = loaded_module();
  if (!module.entry) throw std::runtime_error(module.error);
  return module.entry->make_backend(precision);
}

}  // namespace ynet::runtime

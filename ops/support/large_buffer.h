#pragma once
// The allocator of the buffers that hold whole batches: a batch's frames, the arena of a bound
// plan. They run to hundreds of megabytes (BoF_4096's 512 x 300 x 1152 frame bytes: 177 MB) and
// are touched page by page the first time; with transparent huge pages that is 512 times fewer
// page faults, which took a tenth of a 12,000-video eval's CPU before. Small buffers keep the
// 64-byte alignment oneDNN and the vectorised loops read whole cache lines with.
#include <sys/mman.h>

#include <cstddef>
#include <cstdlib>
#include <new>

namespace ynet::memory {

inline constexpr size_t kCacheLine = 64;
inline constexpr size_t kPage = 4096;
inline constexpr size_t kHugePage = size_t{2} << 20;

// `bytes` of memory aligned to a page at least (O_DIRECT reads into it) and, from 2 MiB up, to a
// huge page, advised to be backed by huge pages. Throws std::bad_alloc. Free with std::free.
inline void* allocate_pages(size_t bytes) {
  const size_t alignment = bytes >= kHugePage ? kHugePage : kPage;
  const size_t rounded = (bytes + alignment - 1) / alignment * alignment;
  void* p = std::aligned_alloc(alignment, rounded);
  if (p == nullptr) throw std::bad_alloc();
  if (alignment == kHugePage) ::madvise(p, rounded, MADV_HUGEPAGE);  // advice only: where refused, small pages serve
  return p;
}

template <class T>
struct LargeBufferAllocator {
  using value_type = T;
  LargeBufferAllocator() = default;
  template <class U>
  LargeBufferAllocator(const LargeBufferAllocator<U>&) {}

  T* allocate(size_t n) {
    const size_t bytes = n * sizeof(T);
    if (bytes < kHugePage) return static_cast<T*>(::operator new(bytes, std::align_val_t{kCacheLine}));
    return static_cast<T*>(allocate_pages(bytes));
  }
  void deallocate(T* p, size_t n) {
    if (n * sizeof(T) < kHugePage) {
      ::operator delete(p, std::align_val_t{kCacheLine});
    } else {
      std::free(p);
    }
  }
  template <class U>
  bool operator==(const LargeBufferAllocator<U>&) const { return true; }
};

}  // namespace ynet::memory

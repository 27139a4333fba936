#include "runtime/data/prefetched_file.h"

#include <fcntl.h>
#include <linux/aio_abi.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>

#include "runtime/data/data_error.h"
#include "ops/support/large_buffer.h"

namespace ynet::data {
namespace {

// O_DIRECT wants the buffer, the offset and the length aligned to the device's logical block,
// which is at most a page.
constexpr size_t kDirectAlignment = memory::kPage;

size_t round_up(size_t value, size_t step) { return (value + step - 1) / step * step; }

[[noreturn]] void throw_unreadable(const std::string& path, const std::string& what, int error) {
  throw DataError(DataErrorKind::kUnreadable, path, DataError::kNoOffset, DataError::kNoRecord, "",
                  what + ": " + std::strerror(error));
}

// glibc has no wrappers for the kernel's AIO calls.
long aio_setup(unsigned events, aio_context_t* context) { return ::syscall(SYS_io_setup, events, context); }
long aio_destroy(aio_context_t context) { return ::syscall(SYS_io_destroy, context); }
long aio_submit(aio_context_t context, iocb* request) { return ::syscall(SYS_io_submit, context, 1L, &request); }
long aio_wait_one(aio_context_t context, io_event* event) {
  return ::syscall(SYS_io_getevents, context, 1L, 1L, event, nullptr);
}

// The share of the range's pages the page cache holds, from mincore() on a mapping of it: nothing
// is read. Where the answer is not available the range is taken as cached (read the plain way).
double cached_share(int fd, uint64_t offset, size_t length, std::vector<unsigned char>& resident) {
  if (length == 0) return 1.0;
  void* mapping = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd, static_cast<off_t>(offset));
  if (mapping == MAP_FAILED) return 1.0;
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  resident.resize((length + page - 1) / page);
  double share = 1.0;
  if (::mincore(mapping, length, resident.data()) == 0) {
    const auto held = std::count_if(resident.begin(), resident.end(), [](unsigned char r) { return (r & 1) != 0; });
    share = static_cast<double>(held) / static_cast<double>(resident.size());
  }
  ::munmap(mapping, length);
  return share;
}

}  // namespace

double page_cache_share(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 1.0;
  struct stat info {};
  std::vector<unsigned char> resident;
  const double share = ::fstat(fd, &info) == 0 && S_ISREG(info.st_mode)
                           ? cached_share(fd, 0, static_cast<size_t>(info.st_size), resident)
                           : 1.0;
  ::close(fd);
  return share;
}

struct PrefetchedFile::Block {
  // kInFlight: a direct read on its way into `data`; kReady: `data` holds the bytes; kCached: read
  // through the page cache, straight into the reader's memory, when reached.
  enum class State { kFree, kInFlight, kCached, kReady };
  State state = State::kFree;
  char* data = nullptr;
  uint64_t offset = 0;
  size_t length = 0;  // bytes of the file it covers, once reached
  int error = 0;      // errno of a failed read
  iocb request{};
};

namespace {

// The files of a dataset are read one after another with rings of one size: keeping a few rings,
// with their AIO contexts, spares each new file the first touch of its ring (64 MiB: page faults
// and clearing) and the end of a context (io_destroy waits about 30 ms here, for the kernel's RCU).
struct Ring {
  char* memory = nullptr;
  size_t bytes = 0;
  size_t blocks = 0;
  aio_context_t aio = 0;  // 0: none made yet
};

class RingPool {
 public:
  // At exit the kernel ends the contexts itself.
  ~RingPool() {
    for (const Ring& ring : spare_) std::free(ring.memory);
  }
  Ring take(size_t bytes, size_t blocks) {
    {
      std::lock_guard lock(mutex_);
      for (size_t i = 0; i < spare_.size(); ++i) {
        if (spare_[i].bytes != bytes || spare_[i].blocks != blocks) continue;
        const Ring ring = spare_[i];
        spare_.erase(spare_.begin() + static_cast<std::ptrdiff_t>(i));
        return ring;
      }
    }
    Ring ring;
    ring.bytes = bytes;
    ring.blocks = blocks;
    ring.memory = static_cast<char*>(memory::allocate_pages(bytes));
    return ring;
  }
  // `ring` has no read on its way.
  void give(const Ring& ring) {
    std::lock_guard lock(mutex_);
    if (spare_.size() == kKept) {
      release(spare_.front());
      spare_.erase(spare_.begin());
    }
    spare_.push_back(ring);
  }
  static void release(const Ring& ring) {
    if (ring.aio != 0) aio_destroy(ring.aio);
    std::free(ring.memory);
  }

 private:
  static constexpr size_t kKept = 2;  // a training set and a validation set
  std::mutex mutex_;
  std::vector<Ring> spare_;
};

RingPool& ring_pool() {
  static RingPool pool;
  return pool;
}

}  // namespace

PrefetchedFile::PrefetchedFile(const std::string& path, PrefetchOptions options) : path_(path), options_(options) {
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) throw_unreadable(path, "cannot open", errno);
  struct stat info {};
  if (::fstat(fd_, &info) != 0 || S_ISDIR(info.st_mode)) {
    const int error = errno;
    const bool directory = S_ISDIR(info.st_mode);
    ::close(fd_);
    if (directory) {
      throw DataError(DataErrorKind::kUnreadable, path, DataError::kNoOffset, DataError::kNoRecord, "",
                      "is a directory, not a TFRecord file");
    }
    throw_unreadable(path, "cannot stat", error);
  }
  size_ = static_cast<uint64_t>(std::max<off_t>(info.st_size, 0));
  if (size_ == 0) return;
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);

  // A file smaller than a block gets one block its own size.
  options_.block_size = std::min(round_up(std::max<size_t>(options_.block_size, 1), kDirectAlignment),
                                 round_up(static_cast<size_t>(size_), kDirectAlignment));
  const uint64_t blocks_in_file = (size_ + options_.block_size - 1) / options_.block_size;
  const size_t count = static_cast<size_t>(std::clamp<uint64_t>(blocks_in_file, 1, std::max(options_.blocks, 1)));
  Ring ring;
  try {
    ring = ring_pool().take(options_.block_size * count, count);
  } catch (const std::bad_alloc&) {
    ::close(fd_);
    throw;
  }
  ring_ = ring.memory;
  ring_bytes_ = ring.bytes;
  aio_ = ring.aio;
  blocks_.resize(count);
  for (size_t i = 0; i < count; ++i) blocks_[i].data = ring_ + i * options_.block_size;

  if (options_.direct_reads) {
    // Refused (EINVAL) where the file system cannot read around the page cache.
    direct_fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_DIRECT);
    aio_context_t context = 0;
    if (direct_fd_ >= 0 && aio_ == 0 && aio_setup(static_cast<unsigned>(count), &context) == 0) aio_ = context;
    if (direct_fd_ >= 0 && aio_ == 0) {
      ::close(direct_fd_);
      direct_fd_ = -1;
    }
  }
  start_ahead();
}

PrefetchedFile::~PrefetchedFile() {
  // The kernel writes into the ring until each read is taken in.
  while (in_flight_ > 0 && reap_one()) {
  }
  if (ring_ != nullptr) {
    const Ring ring{ring_, ring_bytes_, blocks_.size(), aio_};
    // A context that failed may still have reads on their way: ending it waits for them.
    if (aio_failed_) {
      RingPool::release(ring);
    } else {
      ring_pool().give(ring);
    }
  }
  if (direct_fd_ >= 0) ::close(direct_fd_);
  ::close(fd_);
}

size_t PrefetchedFile::peek(char* dst, size_t size, uint64_t offset) const {
  size_t done = 0;
  while (done < size) {
    const ssize_t got = ::pread(fd_, dst + done, size - done, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw_unreadable(path_, "read failed", errno);
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  return done;
}

size_t PrefetchedFile::block_length(uint64_t offset) const {
  return static_cast<size_t>(std::min<uint64_t>(options_.block_size, size_ - offset));
}

bool PrefetchedFile::in_page_cache(uint64_t offset, size_t length) {
  // Mostly cached is cached: the few pages missing are read through the cache in small requests,
  // far sooner than the whole block from the disk (a file the trainer had read but for a few pages
  // of each block went at half the speed read around the cache).
  return cached_share(fd_, offset, length, resident_) >= 0.5;
}

void PrefetchedFile::start(Block& block, uint64_t offset) {
  block.offset = offset;
  block.length = 0;
  block.error = 0;
  const size_t length = block_length(offset);
  if (direct_fd_ >= 0 && !in_page_cache(offset, length)) {
    block.request = {};
    block.request.aio_data = static_cast<uint64_t>(&block - blocks_.data());
    block.request.aio_lio_opcode = IOCB_CMD_PREAD;
    block.request.aio_fildes = static_cast<uint32_t>(direct_fd_);
    block.request.aio_buf = reinterpret_cast<uint64_t>(block.data);
    // The end of the file is read in whole device blocks; the read returns what there is.
    block.request.aio_nbytes = round_up(length, kDirectAlignment);
    block.request.aio_offset = static_cast<int64_t>(offset);
    if (aio_submit(aio_, &block.request) == 1) {
      block.state = Block::State::kInFlight;
      ++in_flight_;
      return;
    }
  }
  // Read when reached; meanwhile the kernel reads it into the cache if it is not there.
  ::posix_fadvise(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), POSIX_FADV_WILLNEED);
  block.state = Block::State::kCached;
}

void PrefetchedFile::start_ahead() {
  while (started_ < blocks_.size()) {
    const uint64_t offset = head_offset_ + started_ * options_.block_size;
    if (offset >= size_) break;
    start(blocks_[(head_ + started_) % blocks_.size()], offset);
    ++started_;
  }
}

bool PrefetchedFile::reap_one() {
  if (in_flight_ == 0) return false;
  io_event event{};
  const long got = aio_wait_one(aio_, &event);
  if (got < 0 && errno == EINTR) return true;
  if (got != 1) {
    // The context is unusable; nothing will complete. Every read on its way is reported failed.
    const int error = got < 0 ? errno : EIO;
    aio_failed_ = true;
    for (Block& block : blocks_) {
      if (block.state != Block::State::kInFlight) continue;
      block.error = error;
      block.state = Block::State::kReady;
    }
    in_flight_ = 0;
    return false;
  }
  --in_flight_;
  Block& block = blocks_[static_cast<size_t>(event.data)];
  block.state = Block::State::kReady;
  if (event.res < 0) {
    block.error = static_cast<int>(-event.res);
  } else {
    block.length = std::min(static_cast<size_t>(event.res), block_length(block.offset));
  }
  return true;
}

void PrefetchedFile::read_rest(Block& block, size_t done, bool direct) {
  const size_t want = block_length(block.offset);
  while (done < want) {
    const bool use_direct = direct && done % kDirectAlignment == 0;
    const size_t length = use_direct ? round_up(want - done, kDirectAlignment) : want - done;
    const ssize_t got = ::pread(use_direct ? direct_fd_ : fd_, block.data + done, length,
                                static_cast<off_t>(block.offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      block.error = errno;
      break;
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
  }
  block.length = std::min(done, want);
}

void PrefetchedFile::finish(Block& block) {
  if (block.state == Block::State::kCached) {
    // One copy, from the cache into the reader's memory (read()), as a plain read makes.
    block.length = block_length(block.offset);
    ++counts_.cached_blocks;
    return;
  }
  while (block.state == Block::State::kInFlight && reap_one()) {
  }
  block.state = Block::State::kReady;
  if (block.error == EINVAL) {  // an alignment this device does not take: read it the plain way
    block.error = 0;
    read_rest(block, 0, false);
  } else if (block.error == 0 && block.length < block_length(block.offset)) {
    read_rest(block, block.length, true);  // a direct read may stop short before the end
  }
  ++counts_.direct_blocks;
}

void PrefetchedFile::restart_at(uint64_t block_offset) {
  while (in_flight_ > 0 && reap_one()) {
  }
  for (Block& block : blocks_) block.state = Block::State::kFree;
  head_offset_ = block_offset;
  started_ = 0;
  start_ahead();
}

void PrefetchedFile::drop_head() {
  Block& block = blocks_[head_];
  while (block.state == Block::State::kInFlight && reap_one()) {
  }
  block.state = Block::State::kFree;
  holding_ = false;
  head_ = (head_ + 1) % blocks_.size();
  head_offset_ += options_.block_size;
  --started_;
  start_ahead();
}

bool PrefetchedFile::reach_position() {
  if (holding_) {
    const Block& block = blocks_[head_];
    if (position_ < block.offset + block.length) return true;
    const bool file_ended = block.length < options_.block_size;
    drop_head();
    if (file_ended) return false;
  }
  if (position_ >= size_) return false;
  // A skip: blocks on their way are passed over, a distance beyond them restarts the reading.
  const uint64_t wanted = position_ / options_.block_size * options_.block_size;
  while (wanted > head_offset_ && wanted < head_offset_ + started_ * options_.block_size) drop_head();
  if (wanted != head_offset_ || started_ == 0) restart_at(wanted);
  Block& block = blocks_[head_];
  finish(block);
  holding_ = true;
  if (block.error != 0) throw_unreadable(path_, "read failed", block.error);
  return position_ < block.offset + block.length;
}

size_t PrefetchedFile::read(char* dst, size_t size) {
  size_t done = 0;
  while (done < size && reach_position()) {
    Block& block = blocks_[head_];
    const size_t at = static_cast<size_t>(position_ - block.offset);
    size_t step = std::min(size - done, block.length - at);
    if (block.state == Block::State::kCached) {
      const ssize_t got = ::pread(fd_, dst + done, step, static_cast<off_t>(position_));
      if (got < 0) {
        if (errno == EINTR) continue;
        throw_unreadable(path_, "read failed", errno);
      }
      if (got == 0) {  // the file is shorter than it was: it ends here
        block.length = at;
        break;
      }
      step = static_cast<size_t>(got);
    } else {
      std::memcpy(dst + done, block.data + at, step);
    }
    done += step;
    position_ += step;
  }
  return done;
}

size_t PrefetchedFile::skip(size_t size) {
  const size_t step = static_cast<size_t>(std::min<uint64_t>(size, size_ - std::min(position_, size_)));
  position_ += step;
  return step;
}

}  // namespace ynet::data

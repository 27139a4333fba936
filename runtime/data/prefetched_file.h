#pragma once
// A file read front to back through a ring of large blocks whose reads are started ahead of the
// reader, so that the disk works while the reader's thread checks and decodes.
//
// With direct reads allowed, a block the page cache holds less than half of is read with O_DIRECT
// straight into the ring by the kernel's asynchronous I/O, and the cache is left as it was. A
// frame-level dataset is read once per pass and is usually larger than the cache, and on a cold
// read the kernel's page-cache work (page allocation, LRU, the copy out of freshly filled pages)
// took more CPU than the decoding: about a third of the two cores of a BoF_4096 eval.
// Asynchronous reads need no thread of ours; a helper thread, which inherits the reading thread's
// lowest priority (data::Dataset), waited milliseconds for a core before it could start each next
// read, leaving the disk idle. Blocks the cache holds are read through it when reached; with
// direct reads off, or where O_DIRECT or asynchronous I/O is not supported (tmpfs, some network
// file systems), every block is, the kernel asked to read them ahead (POSIX_FADV_WILLNEED).
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ynet::data {

struct PrefetchOptions {
  bool direct_reads = false;            // read blocks the page cache does not hold with O_DIRECT
  size_t block_size = size_t{8} << 20;  // rounded up to a multiple of 4096
  int blocks = 8;                       // the ring: blocks on their way, the reader's included
};

// How the blocks reached so far were read; blocks passed over by a skip are not counted.
struct PrefetchCounts {
  uint64_t direct_blocks = 0;
  uint64_t cached_blocks = 0;
};

// The share (0 to 1) of the file's pages the page cache holds; 1 where it cannot be told.
double page_cache_share(const std::string& path);

class PrefetchedFile {
 public:
  // Opens `path` and starts reading it. Throws DataError (kUnreadable) when it cannot be opened or
  // is a directory.
  PrefetchedFile(const std::string& path, PrefetchOptions options = {});
  ~PrefetchedFile();
  PrefetchedFile(const PrefetchedFile&) = delete;
  PrefetchedFile& operator=(const PrefetchedFile&) = delete;

  uint64_t size() const { return size_; }
  // Reads up to `size` bytes at the reading position; fewer only at the end of the file. Throws
  // DataError (kUnreadable) when the block holding them could not be read.
  size_t read(char* dst, size_t size);
  // Moves the reading position on by up to `size` bytes; returns how far it moved. A distance
  // beyond the blocks already on their way restarts the reading there instead of reading through.
  size_t skip(size_t size);
  // Reads `size` bytes at `offset` without moving the reading position (the first bytes of a file
  // decide its compression); returns how many there were.
  size_t peek(char* dst, size_t size, uint64_t offset) const;

  PrefetchCounts counts() const { return counts_; }

 private:
  struct Block;
  // Starts reading the file at `offset` into `block`.
  void start(Block& block, uint64_t offset);
  // Starts every free block of the ring, in file order.
  void start_ahead();
  // Waits until `block` holds its bytes.
  void finish(Block& block);
  // Takes in one completed asynchronous read (waiting for one); returns false when none is pending.
  bool reap_one();
  // Reads what `block` still misses, synchronously, from `done` bytes in.
  void read_rest(Block& block, size_t done, bool direct);
  bool in_page_cache(uint64_t offset, size_t length);
  // Frees the head block (once the kernel is done with it) and moves the ring on by one.
  void drop_head();
  // Drops the blocks on their way and reads on from `block_offset`.
  void restart_at(uint64_t block_offset);
  // Makes the block holding the reading position the current one; false at the end of the file.
  bool reach_position();
  size_t block_length(uint64_t offset) const;

  std::string path_;
  PrefetchOptions options_;
  int fd_ = -1;
  int direct_fd_ = -1;      // -1: direct reads off or not supported here (then aio_ is unused)
  unsigned long aio_ = 0;   // the kernel AIO context (aio_context_t), kept with the ring; 0: none
  bool aio_failed_ = false;
  uint64_t size_ = 0;

  char* ring_ = nullptr;  // the blocks' memory
  size_t ring_bytes_ = 0;
  std::vector<Block> blocks_;
  std::vector<unsigned char> resident_;  // mincore() scratch
  size_t in_flight_ = 0;                 // asynchronous reads not yet taken in

  // The ring: blocks_[(head_ + i) % n] holds the file from head_offset_ + i * block_size, for the
  // first started_ of them.
  size_t head_ = 0;
  uint64_t head_offset_ = 0;
  size_t started_ = 0;
  bool holding_ = false;   // the head block holds its bytes and is being read from
  uint64_t position_ = 0;  // file offset of the next byte to return
  PrefetchCounts counts_;
};

}  // namespace ynet::data

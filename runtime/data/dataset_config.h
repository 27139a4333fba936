#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "runtime/data/compression.h"
#include "runtime/data/record_format.h"

namespace ynet::data {

// How records are divided among `world_size` workers. kFile gives worker r the files whose index
// (in sorted order) is r modulo world_size; kRecord gives it the records whose index in the
// epoch's record stream is r modulo world_size (every worker reads every file's framing). kAuto
// picks kFile when there are at least as many files as workers, else kRecord. Either way every
// record is read by exactly one worker per epoch.
enum class ShardBy { kAuto, kFile, kRecord };
const char* to_string(ShardBy shard_by);

// How records are shuffled (with shuffle on).
// kPermutation: every epoch is a uniformly random permutation of all the worker's records, across
//   all files, drawn from (seed, epoch). The records' offsets come from an index built by one scan
//   of the record headers when the dataset is made (runtime/data/record_index.h); each record is
//   then read on its own, shuffle_buffer records at a time in file order. Plain (uncompressed)
//   files only: a compressed file cannot be read at an offset, and the dataset falls back to
//   kWindow (Dataset::shuffle_mode() says which is in use).
// kWindow: each epoch visits the files in a seeded order and permutes the records in consecutive
//   windows of shuffle_buffer records, like a shuffle buffer of that size. Files written in an
//   order (by class, by time) give it correlated batches: each batch comes from a stretch of
//   about shuffle_buffer neighbouring records.
enum class ShuffleMode { kPermutation, kWindow };
const char* to_string(ShuffleMode mode);

struct DatasetConfig {
  RecordFormat format;
  std::vector<std::string> files;  // globs; commas separate several
  int batch_size = 64;
  // When shuffling, see ShuffleMode. shuffle_buffer is the number of records held in memory:
  // the window of kWindow, the records read together of kPermutation.
  bool shuffle = false;
  ShuffleMode shuffle_mode = ShuffleMode::kPermutation;
  int shuffle_buffer = 1024;
  uint64_t seed = 0;
  int epochs = 1;  // 0: repeat forever
  int rank = 0;
  int world_size = 1;
  ShardBy shard_by = ShardBy::kAuto;
  int threads = 1;   // decoding threads (one more thread reads files)
  int prefetch = 2;  // batches decoded ahead of the consumer
  bool verify_crc = true;
  // Read what the page cache does not hold around it (RecordReaderOptions::direct_reads): for one
  // pass over the data; epochs that the cache could serve again keep it off.
  bool direct_reads = false;
  // Skip damaged records (reported through Dataset's callback and counted) instead of stopping.
  bool skip_corrupt = false;
  bool drop_remainder = false;  // drop the last batch of the data when it is not full
  Compression compression = Compression::kAuto;

  // Empty when valid, otherwise what is wrong.
  std::string validate() const;
};

}  // namespace ynet::data

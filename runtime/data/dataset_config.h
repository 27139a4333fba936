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

// One process's share of every global batch in data-parallel training (docs/data.md, "Slicing
// global batches across ranks"). With count > 1 the dataset forms global batches of
// batch_size * count consecutive entries of the record stream and yields rows
// [index * batch_size, (index + 1) * batch_size) of each: batch_size is the per-process batch.
// Every process that reads the same data with the same seed and global batch forms the same global
// batches whatever the count, so the processes' slices of the k-th batch, put together in index
// order, are the k-th batch of one process reading batch_size * count rows at a time (when no
// record is damaged), and position() is the same global position on every process. Unlike
// sharding (rank, world_size), which splits the records of a pass, slicing splits each batch.
struct BatchSlicing {
  int index = 0;  // this process's slice, 0 <= index < count (its rank)
  int count = 1;  // slices of each global batch (the number of processes); 1: no slicing
};

// The per-process batch of a global batch of `global_batch` rows cut into `count` slices; throws
// std::invalid_argument when it does not divide evenly.
int slice_batch_size(int global_batch, int count);

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
  // With slicing.count > 1: world_size must be 1 and drop_remainder on (a global batch the data
  // cannot fill is not cut into slices).
  BatchSlicing slicing;
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

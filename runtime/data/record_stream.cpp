#include "runtime/data/record_stream.h"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "runtime/data/random.h"
#include "runtime/data/record_index.h"
#include "runtime/data/record_reader.h"

namespace ynet::data {
namespace {

// Distinguishes the random streams drawn from one seed.
constexpr uint64_t kFileOrderStream = 0x66696c65;
constexpr uint64_t kWindowStream = 0x77696e64;
constexpr uint64_t kPermutationStream = 0x7065726d;

}  // namespace

RecordStream::RecordStream(const DatasetConfig& config, std::vector<std::string> files,
                           std::function<void(const DataError&)> on_skip)
    : config_(config), all_files_(std::move(files)), on_skip_(std::move(on_skip)) {
  shard_by_ = config_.shard_by;
  if (shard_by_ == ShardBy::kAuto) {
    shard_by_ = all_files_.size() >= static_cast<size_t>(config_.world_size) ? ShardBy::kFile : ShardBy::kRecord;
  }
  for (uint32_t i = 0; i < all_files_.size(); ++i) {
    if (shard_by_ == ShardBy::kRecord || i % static_cast<uint32_t>(config_.world_size) == static_cast<uint32_t>(config_.rank)) {
      own_files_.push_back(i);
    }
  }
  if (config_.shuffle && config_.shuffle_mode == ShuffleMode::kPermutation) {
    RecordReaderOptions options;
    options.compression = config_.compression;
    index_ = std::make_unique<RecordIndex>(all_files_, own_files_, options, config_.threads + 1);
    if (index_->compressed()) {
      index_.reset();  // records of a compressed file cannot be read at an offset
    } else {
      if (index_->size() > UINT32_MAX) throw std::invalid_argument("more than 2^32 records: too many to permute");
      mode_ = ShuffleMode::kPermutation;
      indexed_reader_ = std::make_unique<IndexedRecordReader>(all_files_, config_.verify_crc);
    }
  }
  const size_t window = config_.shuffle ? static_cast<size_t>(config_.shuffle_buffer) : 1;
  window_.resize(window);
  order_.resize(window);
  start_epoch(0);
}

RecordStream::~RecordStream() = default;

void RecordStream::start_epoch(uint64_t epoch) {
  position_ = {epoch, 0};
  epoch_files_ = own_files_;
  if (config_.shuffle) {
    Rng rng(mix_seed(config_.seed, epoch, kFileOrderStream));
    rng.shuffle(epoch_files_.data(), epoch_files_.size());
  }
  next_file_ = 0;
  reader_.reset();
  global_index_ = 0;
  window_size_ = 0;
  window_cursor_ = 0;
  window_index_ = 0;
  good_in_epoch_ = 0;
  done_ = config_.epochs > 0 && epoch >= static_cast<uint64_t>(config_.epochs);
  if (mode_ == ShuffleMode::kPermutation) {
    // One permutation of every indexed entry; under record sharding every worker draws the same
    // one and takes every world_size-th entry of it.
    epoch_entries_.resize(index_->size());
    std::iota(epoch_entries_.begin(), epoch_entries_.end(), 0u);
    Rng rng(mix_seed(config_.seed, epoch, kPermutationStream));
    rng.shuffle(epoch_entries_.data(), epoch_entries_.size());
    if (shard_by_ == ShardBy::kRecord && config_.world_size > 1) {
      size_t kept = 0;
      for (size_t i = static_cast<size_t>(config_.rank); i < epoch_entries_.size();
           i += static_cast<size_t>(config_.world_size))
        epoch_entries_[kept++] = epoch_entries_[i];
      epoch_entries_.resize(kept);
    }
    epoch_cursor_ = 0;
  }
}

bool RecordStream::open_next_file(StreamRecord& out) {
  const uint32_t file = epoch_files_[next_file_++];
  RecordReaderOptions options;
  options.compression = config_.compression;
  options.verify_crc = config_.verify_crc;
  options.direct_reads = config_.direct_reads;
  try {
    reader_ = std::make_unique<RecordReader>(all_files_[file], options);
    reader_file_ = file;
    return false;
  } catch (const DataError& error) {
    // An unreadable file is one entry of the stream, so positions do not depend on skipping.
    const bool owned = shard_by_ != ShardBy::kRecord ||
                       global_index_ % static_cast<uint64_t>(config_.world_size) == static_cast<uint64_t>(config_.rank);
    ++global_index_;
    if (!owned) return false;
    out.error = std::make_unique<DataError>(error);
    out.file = file;
    out.offset = 0;
    out.index = DataError::kNoRecord;
    return true;
  }
}

bool RecordStream::advance(bool want_data, StreamRecord& out) {
  for (;;) {
    if (!reader_) {
      if (next_file_ == epoch_files_.size()) return false;
      if (open_next_file(out)) return true;
      if (!reader_) continue;
    }
    const bool owned = shard_by_ != ShardBy::kRecord ||
                       global_index_ % static_cast<uint64_t>(config_.world_size) == static_cast<uint64_t>(config_.rank);
    try {
      const bool reading = owned && want_data;
      const bool found = reading ? reader_->next_into(out.bytes) : reader_->skip();
      if (!found) {
        reader_.reset();
        continue;
      }
      if (reading) record_bytes_read_.fetch_add(out.bytes.size() + kRecordFraming, std::memory_order_relaxed);
      ++global_index_;
      if (!owned) continue;
      out.error.reset();
    } catch (const DataError& error) {
      ++global_index_;
      if (!owned) continue;
      out.error = std::make_unique<DataError>(error);
    }
    out.file = reader_file_;
    out.offset = reader_->record_offset();
    out.index = reader_->record_index();
    return true;
  }
}

void RecordStream::fill_permuted_window(size_t first_slot) {
  const RecordIndex& index = *index_;
  window_size_ = std::min(window_.size(), epoch_entries_.size() - epoch_cursor_);
  const uint32_t* entries = epoch_entries_.data() + epoch_cursor_;
  const bool sliced = config_.slicing.count > 1;
  // With slicing, the entry in window slot s (s >= first_slot) is numbered
  // entries_since_seek_ + s - first_slot: the window is filled when the entries before it are used.
  const auto wanted = [&](size_t slot) {
    return !sliced || (slot >= first_slot && in_own_slice(entries_since_seek_ + slot - first_slot));
  };
  // Read in file order: on a disk the reads sweep forward, and the kernel was asked to start
  // them when the previous window was read.
  read_order_.resize(window_size_);
  std::iota(read_order_.begin(), read_order_.end(), 0u);
  std::sort(read_order_.begin(), read_order_.end(), [&](uint32_t a, uint32_t b) {
    const IndexedRecord& x = index[entries[a]];
    const IndexedRecord& y = index[entries[b]];
    return x.file != y.file ? x.file < y.file : x.offset < y.offset;
  });
  uint64_t bytes_read = 0;
  for (const uint32_t slot : read_order_) {
    StreamRecord& out = window_[slot];
    const uint32_t entry = entries[slot];
    out.file = index[entry].file;
    out.offset = index[entry].offset;
    out.index = index.record_in_file(entry);
    if (!wanted(slot)) {
      out.error.reset();  // another process's record: neither read nor reported here
      continue;
    }
    try {
      if (index[entry].error < 0) bytes_read += index[entry].length + kRecordFraming;
      indexed_reader_->read(index, entry, out.bytes);
      out.error.reset();
    } catch (const DataError& error) {
      out.error = std::make_unique<DataError>(error);
    }
  }
  record_bytes_read_.fetch_add(bytes_read, std::memory_order_relaxed);
  epoch_cursor_ += window_size_;
  // The next window's entries are numbered on from this one's last.
  const uint64_t next_first = entries_since_seek_ + window_size_ - std::min(first_slot, window_size_);
  for (size_t i = epoch_cursor_, end = std::min(epoch_entries_.size(), epoch_cursor_ + window_.size()); i < end; ++i) {
    if (!sliced || in_own_slice(next_first + (i - epoch_cursor_))) indexed_reader_->will_need(index, epoch_entries_[i]);
  }
  std::iota(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(window_size_), 0u);
  window_cursor_ = 0;
  ++window_index_;
}

void RecordStream::fill_window() {
  if (mode_ == ShuffleMode::kPermutation) {
    fill_permuted_window();
    return;
  }
  window_size_ = 0;
  while (window_size_ < window_.size() && advance(true, window_[window_size_])) ++window_size_;
  std::iota(order_.begin(), order_.begin() + static_cast<std::ptrdiff_t>(window_size_), 0u);
  if (config_.shuffle) {
    Rng rng(mix_seed(config_.seed, mix_seed(position_.epoch, window_index_), kWindowStream));
    rng.shuffle(order_.data(), window_size_);
  }
  window_cursor_ = 0;
  ++window_index_;
}

StreamRecord* RecordStream::next() {
  for (;;) {
    if (done_) return nullptr;
    if (window_cursor_ == window_size_) {
      fill_window();
      if (window_size_ == 0) {
        // An epoch without a single good record would repeat forever: end instead.
        if (good_in_epoch_ == 0) {
          done_ = true;
          return nullptr;
        }
        start_epoch(position_.epoch + 1);
        continue;
      }
    }
    StreamRecord& record = window_[order_[window_cursor_++]];
    ++position_.record;
    if (record.error) {
      if (!config_.skip_corrupt) throw DataError(*record.error);
      on_skip_(*record.error);
      continue;
    }
    ++good_in_epoch_;
    return &record;
  }
}

bool RecordStream::in_own_slice(uint64_t entry) const {
  const uint64_t rows = static_cast<uint64_t>(config_.batch_size);
  const uint64_t place = entry % (rows * static_cast<uint64_t>(config_.slicing.count));
  return place / rows == static_cast<uint64_t>(config_.slicing.index);
}

StreamRecord* RecordStream::next_entry() {
  for (;;) {
    if (done_) return nullptr;
    if (window_cursor_ == window_size_) {
      fill_window();
      if (window_size_ == 0) {
        // An epoch without a single entry (nothing to read at all) would repeat forever.
        if (position_.record == 0) {
          done_ = true;
          return nullptr;
        }
        start_epoch(position_.epoch + 1);
        continue;
      }
    }
    StreamRecord& record = window_[order_[window_cursor_++]];
    ++position_.record;
    ++entries_since_seek_;
    return &record;
  }
}

void RecordStream::seek(StreamPosition position) {
  entries_since_seek_ = 0;
  start_epoch(position.epoch);
  if (done_) return;
  const uint64_t window = window_.size();
  if (mode_ == ShuffleMode::kPermutation) {
    // The epoch's order is known without reading: go straight to the window the position is in.
    good_in_epoch_ = position.record > 0 ? 1 : 0;
    window_index_ = position.record / window;
    epoch_cursor_ = static_cast<size_t>(std::min<uint64_t>(window_index_ * window, epoch_entries_.size()));
    position_.record = epoch_cursor_;
    if (epoch_cursor_ == epoch_entries_.size()) return;  // the position lies at or past the epoch's end
    const size_t first_slot = static_cast<size_t>(position.record % window);
    fill_permuted_window(first_slot);
    window_cursor_ = std::min<size_t>(first_slot, window_size_);
    position_.record += window_cursor_;
    return;
  }
  const uint64_t skipped_windows = position.record / window;
  StreamRecord scratch;
  uint64_t skipped = 0;
  while (skipped < skipped_windows * window && advance(false, scratch)) ++skipped;
  // Records before the position were good or were already reported; assume some were good so
  // that the end-of-data rule does not fire early.
  good_in_epoch_ = position.record > 0 ? 1 : 0;
  window_index_ = skipped_windows;
  position_.record = skipped;
  if (skipped < skipped_windows * window) return;  // the position lies past the epoch's end
  fill_window();
  window_cursor_ = std::min<size_t>(static_cast<size_t>(position.record % window), window_size_);
  position_.record += window_cursor_;
}

}  // namespace ynet::data

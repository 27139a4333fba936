#include "runtime/data/dataset.h"

#include <fmt/format.h>

#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <charconv>
#include <stdexcept>

#include "runtime/data/dataset_slot.h"
#include "runtime/data/file_glob.h"
#include "runtime/data/prefetched_file.h"
#include "runtime/data/record_reader.h"
#include "runtime/data/stop_request.h"
#include "runtime/data/video_decoder.h"

namespace ynet::data {

std::string to_string(const DatasetPosition& position) { return fmt::format("{}:{}", position.epoch, position.record); }

bool parse_position(const std::string& text, DatasetPosition& position) {
  const size_t colon = text.find(':');
  if (colon == std::string::npos) return false;
  const char* begin = text.data();
  const char* end = text.data() + text.size();
  const auto epoch = std::from_chars(begin, begin + colon, position.epoch);
  const auto record = std::from_chars(begin + colon + 1, end, position.record);
  return epoch.ec == std::errc() && epoch.ptr == begin + colon && record.ec == std::errc() && record.ptr == end;
}

namespace {
thread_local std::vector<DataError>* producing_skips = nullptr;

// Reading and decoding run at the lowest priority. The consumer's compute runs as an OpenMP team
// whose threads wait for each other at every barrier, so a core taken by a decoding thread stalls
// the whole team; at the lowest priority the pipeline fills the team's idle moments instead (on 2
// cores, BoF_4096 eval: 1,070 to 1,710 videos/s with both at one priority, 1,810 to 1,840 so).
// Best effort: a refusal leaves the thread as it was. On Linux the nice value is per thread.
void run_at_background_priority() { setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 19); }

// Whether the page cache holds most of the first files this worker reads.
bool mostly_cached(const std::vector<std::string>& files, const std::vector<uint32_t>& own) {
  constexpr size_t kFilesProbed = 4;
  const size_t probed = std::min(own.size(), kFilesProbed);
  double share = 0;
  for (size_t i = 0; i < probed; ++i) share += page_cache_share(files[own[i]]);
  return probed == 0 || share >= 0.5 * static_cast<double>(probed);
}
}  // namespace

Dataset::Dataset(DatasetConfig config) : config_(std::move(config)) {
  if (std::string error = config_.validate(); !error.empty()) throw std::invalid_argument(error);
  files_ = expand_globs(config_.files);
  stream_ = std::make_unique<RecordStream>(config_, files_, [](const DataError& error) {
    // Runs on the reading thread, inside RecordStream::next().
    if (producing_skips != nullptr) producing_skips->push_back(error);
  });
  shard_by_ = stream_->shard_by();
}

Dataset::~Dataset() { stop(); }

void Dataset::start() {
  if (slots_.empty()) {
    const int count = config_.prefetch + config_.threads;
    for (int i = 0; i < count; ++i) {
      auto slot = std::make_unique<Slot>();
      slot->records.resize(static_cast<size_t>(config_.batch_size));
      slots_.push_back(std::move(slot));
    }
  }
  for (auto& slot : slots_) slot->state = Slot::State::kFree;
  // A pass that reads around the page cache waits for the disk, not for cores: at the lowest
  // priority the reading thread got a core only when the model's compute waited, and the reads it
  // had started ahead filled up meanwhile, leaving the disk idle (BoF_4096 eval, cold: 1,000 to
  // 1,200 MB/s so, 1,350 to 1,550 at normal priority). From the page cache the copying is the
  // work, and the lowest priority serves the compute best (warm: 1,590 to 1,640 MB/s against
  // 1,420 to 1,470). The first files read tell which it is.
  reading_waits_for_disk_ = config_.direct_reads && !mostly_cached(files_, stream_->own_files());
  produce_seq_ = decode_seq_ = consume_seq_ = 0;
  stopping_ = false;
  threads_.emplace_back(&Dataset::produce, this);
  for (int i = 0; i < config_.threads; ++i) threads_.emplace_back(&Dataset::decode_worker, this);
  running_ = true;
}

void Dataset::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();
  running_ = false;
}

void Dataset::produce() {
  if (!reading_waits_for_disk_) run_at_background_priority();
  const size_t slot_count = slots_.size();
  for (;;) {
    Slot* slot;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || slots_[produce_seq_ % slot_count]->state == Slot::State::kFree; });
      if (stopping_) return;
      slot = slots_[produce_seq_ % slot_count].get();
    }
    slot->raw_count = 0;
    slot->skipped.clear();
    slot->error = nullptr;
    slot->last = false;
    slot->whole_global_batch = false;
    producing_skips = &slot->skipped;
    try {
      if (slicing()) {
        fill_slice(*slot);
      } else {
        while (slot->raw_count < static_cast<size_t>(config_.batch_size)) {
          StreamRecord* record = stream_->next();
          if (record == nullptr) {
            slot->last = true;
            break;
          }
          StreamRecord& raw = slot->records[slot->raw_count++];
          raw.bytes.swap(record->bytes);  // the window gets the old buffer back: no allocation
          raw.file = record->file;
          raw.offset = record->offset;
          raw.index = record->index;
        }
      }
    } catch (...) {
      slot->error = std::current_exception();
      slot->last = true;
    }
    producing_skips = nullptr;
    slot->end = stream_->position();
    {
      std::lock_guard lock(mutex_);
      slot->state = Slot::State::kRaw;
      ++produce_seq_;
    }
    changed_.notify_all();
    if (slot->last) return;
  }
}

void Dataset::decode_worker() {
  run_at_background_priority();
  VideoDecoder decoder(config_.format);
  const size_t slot_count = slots_.size();
  for (;;) {
    Slot* slot;
    {
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [&] { return stopping_ || slots_[decode_seq_ % slot_count]->state == Slot::State::kRaw; });
      if (stopping_) return;
      slot = slots_[decode_seq_ % slot_count].get();
      slot->state = Slot::State::kDecoding;
      ++decode_seq_;
    }
    try {
      if (slicing())
        decode_slice(*slot, decoder);
      else
        decode_slot(*slot, decoder);
    } catch (...) {
      slot->error = std::current_exception();
    }
    {
      std::lock_guard lock(mutex_);
      slot->state = Slot::State::kReady;
    }
    changed_.notify_all();
  }
}

void start_decoding(Batch& batch, const DatasetConfig& config) {
  const bool stored_bytes = config.format.frame_values == FrameValues::kStoredBytes;
  batch.reshape(config.batch_size, config.format.time_steps(), config.format.feature_dim(), stored_bytes);
  batch.count = 0;
  batch.record_bytes = 0;
  batch.labels.clear();
  batch.label_offsets[0] = 0;
}

void zero_rows_after_count(Batch& batch, bool stored_bytes) {
  const size_t filled = static_cast<size_t>(batch.count) * batch.row_size();
  if (stored_bytes)
    std::fill(batch.frame_bytes.begin() + static_cast<std::ptrdiff_t>(filled), batch.frame_bytes.end(), uint8_t{0});
  else
    std::fill(batch.features.begin() + static_cast<std::ptrdiff_t>(filled), batch.features.end(), 0.0f);
}

void Dataset::decode_slot(Slot& slot, VideoDecoder& decoder) {
  Batch& batch = slot.batch;
  start_decoding(batch, config_);
  const bool stored_bytes = config_.format.frame_values == FrameValues::kStoredBytes;
  for (size_t i = 0; i < slot.raw_count; ++i) {
    const StreamRecord& raw = slot.records[i];
    const int row = batch.count;
    batch.record_bytes += raw.bytes.size() + kRecordFraming;
    try {
      std::string& id = batch.video_ids[static_cast<size_t>(row)];
      batch.lengths[static_cast<size_t>(row)] = stored_bytes ? decoder.decode(raw.bytes, batch.bytes_row(row), batch.labels, id)
                                                             : decoder.decode(raw.bytes, batch.row(row), batch.labels, id);
    } catch (const DecodeError& error) {
      DataError located(error.kind(), files_[raw.file], raw.offset, raw.index, error.video_id(), error.what());
      located.with_bytes_lost(raw.bytes.size() + kRecordFraming);
      if (!config_.skip_corrupt) throw located;
      slot.skipped.push_back(std::move(located));
      continue;
    }
    batch.label_offsets[static_cast<size_t>(row) + 1] = static_cast<int32_t>(batch.labels.size());
    ++batch.count;
  }
  zero_rows_after_count(batch, stored_bytes);
}

Dataset::Slot& Dataset::take_ready_slot() {
  Slot* slot;
  {
    std::unique_lock lock(mutex_);
    const size_t index = consume_seq_ % slots_.size();
    // Polls for a stop request: the batch may never come (a disk that hangs) or come too late.
    while (!changed_.wait_for(lock, std::chrono::milliseconds(100),
                              [&] { return slots_[index]->state == Slot::State::kReady; })) {
      if (const int signal = stop_signal(); signal != 0) throw StopRequested(signal);
    }
    slot = slots_[index].get();
  }
  for (const DataError& error : slot->skipped) {
    ++skipped_;
    if (!first_unused_) first_unused_ = std::make_unique<DataError>(error);
    if (on_skip_) on_skip_(error);
  }
  return *slot;
}

void Dataset::release_slot(Slot& slot) {
  {
    std::lock_guard lock(mutex_);
    slot.state = Slot::State::kFree;
    ++consume_seq_;
  }
  changed_.notify_all();
}

bool Dataset::next(Batch& batch) {
  if (slicing()) return next_slice(batch);
  if (failure_) std::rethrow_exception(failure_);
  for (;;) {
    if (finished_) return false;
    if (const int signal = stop_signal(); signal != 0) throw StopRequested(signal);
    if (!running_) start();
    Slot* slot = &take_ready_slot();
    if (slot->error) {
      failure_ = slot->error;
      stop();
      std::rethrow_exception(failure_);
    }
    const bool last = slot->last;
    const int count = slot->batch.count;
    const bool deliver = count > 0 && !(last && config_.drop_remainder && count < config_.batch_size);
    if (deliver) std::swap(batch, slot->batch);
    position_ = slot->end;
    release_slot(*slot);
    if (count > 0) {
      last_used_ = position_;
      first_unused_.reset();
    } else if (position_.epoch > last_used_.epoch &&
               (position_.epoch > last_used_.epoch + 1 || position_.record >= last_used_.record)) {
      // A whole pass over the data without one usable record: with endless epochs it would spin
      // forever. Every record was skipped, so there is a first failure to name.
      failure_ = std::make_exception_ptr(NoUsableRecords(first_unused_.get()));
      stop();
      std::rethrow_exception(failure_);
    }
    if (last) {
      finished_ = true;
      stop();
    }
    if (deliver) return true;
  }
}

NoUsableRecords::NoUsableRecords(const DataError* first)
    : std::runtime_error(first == nullptr ? std::string("no record of the data could be used in a whole pass over it")
                                          : fmt::format("no record of the data could be used in a whole pass over it; "
                                                        "the first failure: {}", first->what())) {}

void Dataset::seek(DatasetPosition position) {
  stop();
  stream_->seek(position);
  position_ = position;
  last_used_ = position;
  first_unused_.reset();
  held_.clear();
  input_ended_ = false;
  finished_ = false;
  failure_ = nullptr;
}

}  // namespace ynet::data

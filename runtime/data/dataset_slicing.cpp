// Batch slicing (DatasetConfig::slicing): this process's rows of every global batch, and the rule
// that keeps them full when a record of the slice is damaged (docs/data.md, "Slicing global
// batches across ranks").
#include <fmt/format.h>

#include <algorithm>
#include <optional>

#include "runtime/data/dataset_slot.h"
#include "runtime/data/record_reader.h"
#include "runtime/data/video_decoder.h"

namespace ynet::data {
namespace {

// Row `row` of `to` becomes a copy of row `from_row` of `from` (same shape): frames, length, id
// and labels. Only for damaged rows, which are rare: rebuilding the label lists may allocate.
void copy_row(Batch& to, int row, const Batch& from, int from_row) {
  const size_t size = to.row_size();
  const auto at = [size](int b) { return static_cast<std::ptrdiff_t>(static_cast<size_t>(b) * size); };
  if (!to.frame_bytes.empty())
    std::copy_n(from.frame_bytes.begin() + at(from_row), size, to.frame_bytes.begin() + at(row));
  else
    std::copy_n(from.features.begin() + at(from_row), size, to.features.begin() + at(row));
  to.lengths[static_cast<size_t>(row)] = from.lengths[static_cast<size_t>(from_row)];
  to.video_ids[static_cast<size_t>(row)] = from.video_ids[static_cast<size_t>(from_row)];
  std::vector<int32_t> labels;
  std::vector<int32_t> offsets(1, 0);
  for (int b = 0; b < to.count; ++b) {
    const std::span<const int32_t> own = b == row ? from.labels_of(from_row) : to.labels_of(b);
    labels.insert(labels.end(), own.begin(), own.end());
    offsets.push_back(static_cast<int32_t>(labels.size()));
  }
  to.labels = std::move(labels);
  std::copy(offsets.begin(), offsets.end(), to.label_offsets.begin());
}

}  // namespace

void Dataset::fill_slice(Slot& slot) {
  const uint64_t rows = static_cast<uint64_t>(config_.batch_size);
  const uint64_t global_rows = rows * static_cast<uint64_t>(config_.slicing.count);
  const uint64_t first = rows * static_cast<uint64_t>(config_.slicing.index);
  // Every entry counts as a row of the global batch, damaged or not, so that every process cuts
  // the stream at the same places without knowing about damage in the others' slices.
  for (uint64_t place = 0; place < global_rows; ++place) {
    StreamRecord* entry = stream_->next_entry();
    if (entry == nullptr) {
      slot.last = true;
      return;
    }
    if (place < first || place >= first + rows) continue;
    StreamRecord& raw = slot.records[slot.raw_count++];
    raw.bytes.swap(entry->bytes);
    raw.file = entry->file;
    raw.offset = entry->offset;
    raw.index = entry->index;
    raw.error = entry->error ? std::make_unique<DataError>(*entry->error) : nullptr;
  }
  slot.whole_global_batch = true;
}

void Dataset::decode_slice(Slot& slot, VideoDecoder& decoder) {
  Batch& batch = slot.batch;
  start_decoding(batch, config_);
  const bool stored_bytes = config_.format.frame_values == FrameValues::kStoredBytes;
  slot.damaged_rows.assign(slot.raw_count, 0);
  // Rows keep their places (row i is the slice's i-th record), a damaged one left empty until the
  // consumer replaces it.
  for (size_t i = 0; i < slot.raw_count; ++i) {
    const StreamRecord& raw = slot.records[i];
    const int row = static_cast<int>(i);
    std::string& id = batch.video_ids[i];
    const size_t labels_before = batch.labels.size();
    std::optional<DataError> damage;
    if (raw.error) {
      damage = *raw.error;
    } else {
      batch.record_bytes += raw.bytes.size() + kRecordFraming;
      try {
        batch.lengths[i] = stored_bytes ? decoder.decode(raw.bytes, batch.bytes_row(row), batch.labels, id)
                                        : decoder.decode(raw.bytes, batch.row(row), batch.labels, id);
      } catch (const DecodeError& error) {
        damage = DataError(error.kind(), files_[raw.file], raw.offset, raw.index, error.video_id(), error.what());
        damage->with_bytes_lost(raw.bytes.size() + kRecordFraming);
      }
    }
    if (damage) {
      if (!config_.skip_corrupt) throw *damage;
      slot.skipped.push_back(*damage);
      slot.damaged_rows[i] = 1;
      batch.labels.resize(labels_before);
      batch.lengths[i] = 0;
      id.clear();
      if (stored_bytes)
        std::fill_n(batch.bytes_row(row), batch.row_size(), uint8_t{0});
      else
        std::fill_n(batch.row(row), batch.row_size(), 0.0f);
    }
    batch.label_offsets[i + 1] = static_cast<int32_t>(batch.labels.size());
    ++batch.count;
  }
  zero_rows_after_count(batch, stored_bytes);
}

bool Dataset::replacements_held(size_t& missing_row) const {
  const HeldBatch& front = *held_.front();
  for (size_t row = 0; row < front.damaged_rows.size(); ++row) {
    if (!front.damaged_rows[row]) continue;
    const bool found = std::any_of(held_.begin() + 1, held_.end(), [&](const auto& later) { return !later->damaged_rows[row]; });
    if (!found) {
      missing_row = row;
      return false;
    }
  }
  return true;
}

void Dataset::replace_damaged_rows(HeldBatch& held) {
  for (size_t row = 0; row < held.damaged_rows.size(); ++row) {
    if (!held.damaged_rows[row]) continue;
    for (size_t later = 1; later < held_.size(); ++later) {
      if (held_[later]->damaged_rows[row]) continue;
      copy_row(held.batch, static_cast<int>(row), held_[later]->batch, static_cast<int>(row));
      break;
    }
  }
}

bool Dataset::next_slice(Batch& batch) {
  if (failure_) std::rethrow_exception(failure_);
  const auto fail = [&](const std::string& why) {
    failure_ = std::make_exception_ptr(SliceUnfillable(fmt::format(
        "batch slice {} of {}: {}; the slice's first damaged record: {}", config_.slicing.index, config_.slicing.count,
        why, held_.front()->first_damage)));
    stop();
    std::rethrow_exception(failure_);
  };
  for (;;) {
    if (finished_) return false;
    size_t missing_row = 0;
    if (!held_.empty() && replacements_held(missing_row)) break;
    if (input_ended_) {
      if (held_.empty()) {
        finished_ = true;
        return false;
      }
      fail(fmt::format("row {} of the global batch ending at {} is damaged, and the data ends before a good record "
                       "comes at its place", missing_row, to_string(held_.front()->end)));
    }
    if (held_.size() > kReplacementHorizon)
      fail(fmt::format("row {} of the global batch ending at {} is damaged, and so is the record at its place in each "
                       "of the {} global batches that follow", missing_row, to_string(held_.front()->end),
                       kReplacementHorizon));
    if (const int signal = stop_signal(); signal != 0) throw StopRequested(signal);
    if (!running_) start();
    Slot& slot = take_ready_slot();
    if (slot.error) {
      failure_ = slot.error;
      stop();
      std::rethrow_exception(failure_);
    }
    const bool last = slot.last;
    if (!slot.whole_global_batch) {
      // The end of the data inside a global batch: dropped on every process (drop_remainder).
      if (held_.empty()) position_ = slot.end;
    } else if (held_.empty() && std::none_of(slot.damaged_rows.begin(), slot.damaged_rows.end(), [](uint8_t d) { return d; })) {
      std::swap(batch, slot.batch);  // nothing to replace: straight through, as without slicing
      position_ = slot.end;
      release_slot(slot);
      if (last) {
        input_ended_ = true;
        stop();
      }
      return true;
    } else {
      std::unique_ptr<HeldBatch> held;
      if (spare_held_.empty()) {
        held = std::make_unique<HeldBatch>();
      } else {
        held = std::move(spare_held_.back());
        spare_held_.pop_back();
      }
      std::swap(held->batch, slot.batch);
      held->damaged_rows = slot.damaged_rows;
      held->first_damage = slot.skipped.empty() ? std::string() : slot.skipped.front().what();
      held->end = slot.end;
      held_.push_back(std::move(held));
    }
    release_slot(slot);
    if (last) {
      input_ended_ = true;
      stop();
    }
  }
  HeldBatch& front = *held_.front();
  replace_damaged_rows(front);
  std::swap(batch, front.batch);
  position_ = front.end;
  spare_held_.push_back(std::move(held_.front()));
  held_.erase(held_.begin());
  return true;
}

}  // namespace ynet::data

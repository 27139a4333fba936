#pragma once
// Checkpoints: saved atomically (temp file, fsync, rename, directory fsync), so an interruption at
// any moment leaves the previous checkpoint intact; loaded with every tensor checked against the plan.
#include <cstdint>
#include <cstdio>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "plan/plan.h"
#include "runtime/backend/backend.h"

namespace ynet::train {

// 2: every tensor and the header carry a CRC32C, verified on every load.
inline constexpr uint32_t kCheckpointFormatVersion = 2;

struct CheckpointMeta {
  std::string model;
  int64_t step = 0;
  int64_t samples = 0;
  uint64_t seed = 0;
  std::string data_position;
  std::string backend;
};

// A checkpoint that does not fit the plan: names the tensors that differ.
// save_checkpoint found a parameter or state value that is NaN or infinite; nothing was written.
struct NonFiniteTensor : std::runtime_error {
  using std::runtime_error::runtime_error;
};

struct CheckpointMismatch : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A checkpoint file that cannot be read, is not a checkpoint, or fails its checksums.
struct CheckpointDamaged : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Reads every parameter and state tensor of the plan from the backend and writes `path` atomically.
void save_checkpoint(const std::string& path, const CheckpointMeta& meta, const plan::Plan& plan,
                     const runtime::Backend& backend);

// Loads every tensor the plan has (parameters and state; an inference plan has no optimizer slots).
// With `parameters_only`, tensors the checkpoint has beyond the plan's are ignored (evaluation);
// otherwise the two sets must match exactly (resuming). Everything is verified (checksums, then
// names and shapes) before anything is written to the backend. Throws CheckpointDamaged (naming
// the file and what failed) or CheckpointMismatch (naming the tensors that differ).
CheckpointMeta load_checkpoint(const std::string& path, const plan::Plan& plan, runtime::Backend& backend,
                               bool parameters_only);

// Reads a checkpoint and verifies its format and checksums, without a plan. Throws CheckpointDamaged.
CheckpointMeta verify_checkpoint(const std::string& path);

struct LoadedCheckpoint {
  std::string path;
  CheckpointMeta meta;
};

// Loads the first intact checkpoint of `newest_first`: a damaged one is named on `notes` (with
// the one used instead) and the next older one is tried. Throws the newest one's CheckpointDamaged
// when none is intact (saying how many were tried), and CheckpointMismatch at once (an older
// checkpoint of the same run would not fit either).
LoadedCheckpoint load_newest_intact(const std::vector<std::string>& newest_first, const plan::Plan& plan,
                                    runtime::Backend& backend, bool parameters_only, std::FILE* notes = stderr);

// Checkpoints in `dir` named ckpt-<step>.pb, by step, oldest first.
std::vector<std::pair<int64_t, std::string>> list_checkpoints(const std::string& dir);
std::string checkpoint_path(const std::string& dir, int64_t step);
// Deletes all but the newest `keep`.
void prune_checkpoints(const std::string& dir, int keep);

// Writes `bytes` to `path` through a temporary file, fsync and rename.
void write_file_atomically(const std::string& path, const std::string& bytes);

}  // namespace ynet::train

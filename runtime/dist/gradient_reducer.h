#pragma once
// The backward pass of a data-parallel step: runs the plan's backward steps one at a time and, as
// soon as the last step that writes a group of parameter gradients has run, starts their sum over
// the ranks (non-blocking), so that communication overlaps the rest of the backward pass, as
// PyTorch's DDP and Horovod do. Then waits, and divides by the number of ranks: every rank ends
// the backward pass with the same gradients, the mean of the ranks'.
#include <cstdint>
#include <vector>

#include "runtime/backend/backend.h"
#include "runtime/dist/collectives.h"

namespace ynet::dist {

class GradientReducer {
 public:
  // Groups the gradients into buckets of about `bucket_bytes`, in the order the backward pass
  // finishes them; buffers adjacent in the arena are summed in one call. Throws
  // std::runtime_error when the backend's gradients are not in host memory.
  GradientReducer(const plan::Plan& plan, runtime::Backend& backend, Collectives& collectives,
                  int64_t bucket_bytes = int64_t{4} << 20);

  // Runs the backward phase and leaves the mean gradients in the backend.
  void backward(const runtime::StepContext& ctx);

  // For reports: the gradient bytes summed per step, the sum calls per step, and the time spent
  // waiting for the sums after the backward pass (communication the backward pass did not hide).
  int64_t bytes() const { return bytes_; }
  size_t calls() const { return calls_; }
  double seconds_waiting() const { return seconds_waiting_; }

 private:
  struct Range {
    float* data = nullptr;
    size_t count = 0;
  };
  struct Bucket {
    size_t ready_after = 0;     // position in the backward phase of the last step writing into it
    std::vector<Range> ranges;  // contiguous runs of gradient memory
  };

  runtime::Backend& backend_;
  Collectives& collectives_;
  std::vector<Bucket> buckets_;  // in ready_after order
  std::vector<Range> all_;       // every gradient, for the division
  int64_t bytes_ = 0;
  size_t calls_ = 0;
  double seconds_waiting_ = 0;
};

}  // namespace ynet::dist

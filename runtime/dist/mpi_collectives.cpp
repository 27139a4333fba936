// The collectives on MPI: MPI_COMM_WORLD, the main thread alone calling MPI (the data pipeline's
// threads never do).
#include <fmt/format.h>
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <stdexcept>
#include <vector>

#include "runtime/dist/collectives.h"

namespace ynet::dist {
namespace {

// MPI counts are int: a buffer larger than that goes in pieces.
constexpr std::size_t kMaxCount = static_cast<std::size_t>(std::numeric_limits<int>::max());

class MpiCollectives final : public Collectives {
 public:
  MpiCollectives() {
    int provided = 0;
    MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
    char name[MPI_MAX_PROCESSOR_NAME];
    int length = 0;
    MPI_Get_processor_name(name, &length);
    host_.assign(name, static_cast<std::size_t>(length));
  }
  ~MpiCollectives() override { MPI_Finalize(); }

  int rank() const override { return rank_; }
  int size() const override { return size_; }
  const std::string& host() const override { return host_; }

  void sum(double* values, std::size_t count) override {
    for (std::size_t done = 0; done < count; done += kMaxCount)
      MPI_Allreduce(MPI_IN_PLACE, values + done, static_cast<int>(std::min(kMaxCount, count - done)), MPI_DOUBLE,
                    MPI_SUM, MPI_COMM_WORLD);
  }
  void max(int64_t* values, std::size_t count) override {
    for (std::size_t done = 0; done < count; done += kMaxCount)
      MPI_Allreduce(MPI_IN_PLACE, values + done, static_cast<int>(std::min(kMaxCount, count - done)), MPI_INT64_T,
                    MPI_MAX, MPI_COMM_WORLD);
  }
  void broadcast(void* data, std::size_t bytes, int root) override {
    auto* p = static_cast<char*>(data);
    for (std::size_t done = 0; done < bytes; done += kMaxCount)
      MPI_Bcast(p + done, static_cast<int>(std::min(kMaxCount, bytes - done)), MPI_BYTE, root, MPI_COMM_WORLD);
  }

  void start_sum(float* values, std::size_t count) override {
    for (std::size_t done = 0; done < count; done += kMaxCount) {
      requests_.emplace_back();
      MPI_Iallreduce(MPI_IN_PLACE, values + done, static_cast<int>(std::min(kMaxCount, count - done)), MPI_FLOAT,
                     MPI_SUM, MPI_COMM_WORLD, &requests_.back());
    }
  }
  // Open MPI advances a non-blocking collective only inside MPI calls: the reducer calls this
  // between the backward pass's steps.
  void progress() override {
    if (requests_.empty()) return;
    int done = 0;
    MPI_Testall(static_cast<int>(requests_.size()), requests_.data(), &done, MPI_STATUSES_IGNORE);
    if (done) requests_.clear();
  }
  void wait_all() override {
    MPI_Waitall(static_cast<int>(requests_.size()), requests_.data(), MPI_STATUSES_IGNORE);
    requests_.clear();
  }

  [[noreturn]] void abort(int status) override {
    std::fflush(stdout);
    std::fflush(stderr);
    MPI_Abort(MPI_COMM_WORLD, status);
    std::_Exit(status);  // MPI_Abort does not return; this keeps the promise if it ever did
  }

 private:
  int rank_ = 0, size_ = 1;
  std::string host_;
  std::vector<MPI_Request> requests_;
};

}  // namespace

bool built_with_mpi() { return true; }

std::unique_ptr<Collectives> make_mpi_collectives() { return std::make_unique<MpiCollectives>(); }

}  // namespace ynet::dist

#pragma once
// The processes of one data-parallel run and what they do together. Every rank calls every
// collective in the same order with the same sizes; a rank that fails ends the whole job (abort),
// so no rank waits forever for one that is gone.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "ops/support/batch_collectives.h"

namespace ynet::dist {

class Collectives : public runtime::BatchCollectives {
 public:
  virtual int rank() const = 0;
  virtual int size() const = 0;
  // This rank's host name, for messages that must say where something happened.
  virtual const std::string& host() const = 0;

  // Copies `bytes` from `root` into every other rank's `data`.
  virtual void broadcast(void* data, std::size_t bytes, int root) = 0;
  // In place, element-wise maximum over every rank.
  virtual void max(int64_t* values, std::size_t count) = 0;

  // Non-blocking in-place sums of float buffers: start any number, let them advance while
  // computing (progress), then wait for all. The buffers must not be touched until wait_all.
  virtual void start_sum(float* values, std::size_t count) = 0;
  virtual void progress() = 0;
  virtual void wait_all() = 0;

  // Ends every rank of the job with `status`, after this rank's message has been printed.
  [[noreturn]] virtual void abort(int status) = 0;
};

// How this process was started.
struct Launch {
  int ranks = 1;        // processes in the job
  int rank = 0;
  int local_ranks = 1;  // processes of the job on this machine
  std::string launcher; // "" (not under a launcher), "Open MPI", "PMIx", "PMI"
};
// Read from the launcher's environment (mpirun, srun), without starting MPI.
Launch detect_launch();

// Whether this build trains across processes (it was built with MPI).
bool built_with_mpi();

// Joins the job this process was launched in when it has more than one process (MPI_Init); null
// for a single process. Throws std::runtime_error when launched with several processes by a build
// without MPI. Call once; the returned object finalises MPI when destroyed.
std::unique_ptr<Collectives> join_job();

}  // namespace ynet::dist

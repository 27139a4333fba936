#include <fmt/format.h>

#include <algorithm>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include "runtime/dist/collectives.h"

namespace ynet::dist {

#ifdef YNET_HAVE_MPI
std::unique_ptr<Collectives> make_mpi_collectives();
#else
bool built_with_mpi() { return false; }
#endif

namespace {

int env_int(const char* name, int fallback) {
  const char* text = std::getenv(name);
  if (text == nullptr || *text == '\0') return fallback;
  char* end = nullptr;
  const long value = std::strtol(text, &end, 10);
  return *end == '\0' && value >= 0 && value < (1L << 30) ? static_cast<int>(value) : fallback;
}

}  // namespace

// Each launcher exports the job's size and this process's rank: Open MPI's mpirun, a PMIx server
// (Slurm's srun --mpi=pmix, prterun) and the PMI of MPICH's Hydra and srun --mpi=pmi2.
Launch detect_launch() {
  Launch launch;
  if (std::getenv("OMPI_COMM_WORLD_SIZE") != nullptr) {
    launch.launcher = "Open MPI";
    launch.ranks = env_int("OMPI_COMM_WORLD_SIZE", 1);
    launch.rank = env_int("OMPI_COMM_WORLD_RANK", 0);
    launch.local_ranks = env_int("OMPI_COMM_WORLD_LOCAL_SIZE", 1);
  } else if (std::getenv("PMIX_RANK") != nullptr) {
    launch.launcher = "PMIx";
    launch.ranks = env_int("SLURM_NTASKS", env_int("PMIX_SIZE", 1));
    launch.rank = env_int("PMIX_RANK", 0);
    launch.local_ranks = env_int("SLURM_NTASKS_PER_NODE", env_int("PMIX_LOCAL_SIZE", 1));
  } else if (std::getenv("PMI_SIZE") != nullptr) {
    launch.launcher = "PMI";
    launch.ranks = env_int("PMI_SIZE", 1);
    launch.rank = env_int("PMI_RANK", 0);
    launch.local_ranks = env_int("MPI_LOCALNRANKS", 1);
  }
  launch.ranks = std::max(launch.ranks, 1);
  launch.local_ranks = std::max(launch.local_ranks, 1);
  return launch;
}

std::unique_ptr<Collectives> join_job() {
  const Launch launch = detect_launch();
  if (launch.ranks <= 1) return nullptr;
#ifdef YNET_HAVE_MPI
  return make_mpi_collectives();
#else
  throw std::runtime_error(fmt::format("started by {} as one of {} processes, but this ynet was built without MPI, so "
                                       "it cannot train across processes; install libopenmpi-dev and rebuild, or run "
                                       "one process",
                                       launch.launcher, launch.ranks));
#endif
}

}  // namespace ynet::dist

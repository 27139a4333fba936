#pragma once
// `ynet train --workers N`: data-parallel training on this machine without writing an mpirun line.
// ynet starts Open MPI's mpirun with the same command line, minus --workers, as N processes; each
// finds itself launched and joins the job. This process waits for mpirun and ends with the job's
// status, 130 or 143 when it was interrupted (mpirun reports an interrupted job as a failure).
#include <optional>
#include <string>

namespace ynet::cli {

// Remembers the command line as main() received it, for relaunching.
void remember_command_line(int argc, char** argv);

// Runs the command as `workers` processes under mpirun and returns the exit status for this
// process; nothing when this process is already one of the workers. Throws std::runtime_error when
// the workers cannot be started (no MPI in this build, no mpirun).
std::optional<int> run_as_workers(int workers);

}  // namespace ynet::cli

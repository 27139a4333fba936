#pragma once
// `ynet train --workers N`: data-parallel training on this machine without writing an mpirun line.
// The command is started again as N processes under Open MPI's mpirun, which then owns the job
// (signals, exit status); each process finds itself launched and joins the job.
#include <string>
#include <vector>

namespace ynet::cli {

// Remembers the command line as main() received it, for relaunching.
void remember_command_line(int argc, char** argv);

// Replaces this process by `mpirun -np workers ynet <the same arguments without --workers>`.
// Returns only on failure, with the reason (no MPI in this build, mpirun missing).
std::string relaunch_as_workers(int workers);

}  // namespace ynet::cli

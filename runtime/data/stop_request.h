#pragma once
// A request to stop (SIGINT, SIGTERM) that every loop waiting for data polls: the trainer finishes
// its step and checkpoints, a dataset waiting for a batch that never comes gives up. The first
// signal only asks; a second one of either kind ends the process at once (the default action),
// so a stuck program can always be stopped from the keyboard.
#include <stdexcept>

namespace ynet::data {

// Installs the handlers for SIGINT and SIGTERM.
void install_stop_handlers();
// The signal that asked to stop, 0 when none has.
int stop_signal();
inline bool stop_requested() { return stop_signal() != 0; }
// For tests and for a caller that asks to stop without a signal.
void request_stop(int signal);
void clear_stop_request();

// Thrown by a loop that gave up waiting because a stop was requested.
class StopRequested : public std::runtime_error {
 public:
  explicit StopRequested(int signal);
  int signal() const { return signal_; }

 private:
  int signal_;
};

// The conventional exit status of a process stopped by `signal`: 128 + the signal's number
// (130 for SIGINT, 143 for SIGTERM).
inline int exit_status_for_signal(int signal) { return 128 + signal; }

}  // namespace ynet::data

#include "runtime/data/stop_request.h"

#include <fmt/format.h>

#include <atomic>
#include <csignal>
#include <cstring>

namespace ynet::data {
namespace {

std::atomic<int> requested{0};
static_assert(std::atomic<int>::is_always_lock_free, "read from a signal handler");

extern "C" void on_stop_signal(int signal) {
  int expected = 0;
  if (!requested.compare_exchange_strong(expected, signal)) {
    // The second request: the program did not stop in time, so stop it the default way.
    std::signal(signal, SIG_DFL);
    std::raise(signal);
  }
}

}  // namespace

void install_stop_handlers() {
  std::signal(SIGINT, on_stop_signal);
  std::signal(SIGTERM, on_stop_signal);
}

int stop_signal() { return requested.load(std::memory_order_relaxed); }

void request_stop(int signal) { requested.store(signal); }

void clear_stop_request() { requested.store(0); }

StopRequested::StopRequested(int signal)
    : std::runtime_error(fmt::format("stopped by {}", signal == SIGINT    ? "SIGINT"
                                                      : signal == SIGTERM ? "SIGTERM"
                                                                          : strsignal(signal))),
      signal_(signal) {}

}  // namespace ynet::data

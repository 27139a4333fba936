#pragma once
// A place in a spec file: what diagnostics point at and what every checked layer remembers.

namespace ynet {

// Line and column are 1-based; the column counts code points. length: code points underlined.
struct SourceLoc {
  int file = -1;  // index into the SourceManager; -1: no location (e.g. a command-line error)
  int line = 0;
  int column = 0;
  int length = 1;
};

}  // namespace ynet

#pragma once
// An output file the user names. A regular file, or a path that does not exist yet, is written
// to a temporary file beside it and renamed into place on commit(), so a failed or interrupted
// run leaves the old file as it was. Anything else is written straight through: renaming over a
// FIFO, a device node (/dev/null), a symlink or /dev/stdout would replace it with a plain file.
// "-" means the standard output.
#include <cstdio>
#include <string>
#include <string_view>

namespace ynet::io {

enum class OutputMode {
  kStdout,   // "-"
  kReplace,  // a regular file or a new path: temporary file, fsync, rename
  kDirect,   // a FIFO, device, socket or symlink (to anything): opened and written in place
};

// How `path` will be written, from what it is now (lstat: a symlink is not followed).
OutputMode output_mode(const std::string& path);

class OutputFile {
 public:
  // Opens the file (or its temporary). Throws std::runtime_error naming the path on failure.
  explicit OutputFile(std::string path);
  ~OutputFile();  // without commit(): the temporary is removed, a direct output is left as written
  OutputFile(const OutputFile&) = delete;
  OutputFile& operator=(const OutputFile&) = delete;

  // Throws std::runtime_error on a write failure (disk full, closed pipe).
  void write(std::string_view bytes);
  // Flushes and, for a replaced file, syncs and renames it into place.
  void commit();

  OutputMode mode() const { return mode_; }
  // What to call the output in messages: the path, or "the standard output".
  std::string name() const;

 private:
  [[noreturn]] void fail(const std::string& action, int error);

  std::string path_;
  std::string temporary_;
  OutputMode mode_;
  std::FILE* file_ = nullptr;
  bool committed_ = false;
};

// The whole output at once.
void write_output(const std::string& path, std::string_view bytes);

}  // namespace ynet::io

#include "runtime/io/output_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace ynet::io {

OutputMode output_mode(const std::string& path) {
  if (path == "-") return OutputMode::kStdout;
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return OutputMode::kReplace;  // a new file
  return S_ISREG(st.st_mode) ? OutputMode::kReplace : OutputMode::kDirect;
}

OutputFile::OutputFile(std::string path) : path_(std::move(path)), mode_(output_mode(path_)) {
  if (mode_ == OutputMode::kStdout) {
    file_ = stdout;
    return;
  }
  if (mode_ == OutputMode::kDirect) {
    file_ = std::fopen(path_.c_str(), "wb");
    if (file_ == nullptr) fail("write", errno);
    return;
  }
  // The process id keeps two writers of one path from sharing a temporary file.
  temporary_ = fmt::format("{}.partial.{}", path_, ::getpid());
  file_ = std::fopen(temporary_.c_str(), "wb");
  // Named by the path the user gave: the temporary beside it is an implementation detail.
  if (file_ == nullptr) fail("write", errno);
}

OutputFile::~OutputFile() {
  if (file_ != nullptr && file_ != stdout) std::fclose(file_);
  if (mode_ == OutputMode::kReplace && !committed_) ::unlink(temporary_.c_str());
}

std::string OutputFile::name() const { return mode_ == OutputMode::kStdout ? "the standard output" : path_; }

void OutputFile::fail(const std::string& action, int error) {
  throw std::runtime_error(fmt::format("cannot {} '{}': {}", action, mode_ == OutputMode::kStdout ? "-" : path_,
                                       std::strerror(error)));
}

void OutputFile::write(std::string_view bytes) {
  if (file_ == nullptr) throw std::logic_error("OutputFile::write after commit");
  if (!bytes.empty() && std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail("write", errno);
}

void OutputFile::commit() {
  if (file_ == nullptr) throw std::logic_error("OutputFile::commit called twice");
  if (std::fflush(file_) != 0) fail("write", errno);
  if (mode_ == OutputMode::kStdout) {
    file_ = nullptr;
    committed_ = true;
    return;
  }
  // A regular file is synced before the rename so that a crash leaves the old or the new file,
  // never an empty one; a pipe or device cannot be synced and needs no rename.
  if (mode_ == OutputMode::kReplace && ::fsync(fileno(file_)) != 0) fail("write", errno);
  const int closed = std::fclose(file_);
  file_ = nullptr;
  if (closed != 0) fail("write", errno);
  if (mode_ == OutputMode::kReplace && std::rename(temporary_.c_str(), path_.c_str()) != 0) fail("replace", errno);
  committed_ = true;
}

void write_output(const std::string& path, std::string_view bytes) {
  OutputFile out(path);
  out.write(bytes);
  out.commit();
}

}  // namespace ynet::io

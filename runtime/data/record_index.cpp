#include "runtime/data/record_index.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <exception>
#include <memory>
#include <thread>

#include "runtime/data/crc32c.h"
#include "runtime/data/prefetched_file.h"
#include "runtime/data/stop_request.h"

namespace ynet::data {
namespace {

struct FileScan {
  std::vector<IndexedRecord> entries;  // error holds an index into `errors` until merged
  std::vector<DataError> errors;
  bool compressed = false;
};

void add_error(FileScan& scan, uint32_t file, const DataError& error) {
  scan.entries.push_back({error.offset(), 0, file, static_cast<int32_t>(scan.errors.size())});
  scan.errors.push_back(error);
}

FileScan scan_file(const std::string& path, uint32_t file, RecordReaderOptions options) {
  options.scan = true;
  options.direct_reads = false;
  FileScan scan;
  std::unique_ptr<RecordReader> reader;
  try {
    reader = std::make_unique<RecordReader>(path, options);
  } catch (const DataError& error) {
    add_error(scan, file, error);  // an unreadable or empty file is one entry
    return scan;
  }
  scan.compressed = reader->compression() != Compression::kNone;
  for (uint64_t n = 0;; ++n) {
    if ((n & 1023) == 0) {
      if (const int signal = stop_signal(); signal != 0) throw StopRequested(signal);
    }
    try {
      if (!reader->skip()) break;
      scan.entries.push_back({reader->record_offset(), reader->record_length(), file, -1});
    } catch (const DataError& error) {
      add_error(scan, file, error);
    }
  }
  return scan;
}

// Reads the iovecs' bytes at `offset`; returns how many were read (fewer only at the end of the file).
size_t read_at(int fd, struct iovec* parts, int count, uint64_t offset, const std::string& path,
               uint64_t record_offset, int64_t record) {
  size_t done = 0;
  while (count > 0) {
    const ssize_t got = ::preadv(fd, parts, count, static_cast<off_t>(offset + done));
    if (got < 0) {
      if (errno == EINTR) continue;
      throw DataError(DataErrorKind::kUnreadable, path, record_offset, record, "",
                      fmt::format("cannot read: {}", std::strerror(errno)));
    }
    if (got == 0) break;
    done += static_cast<size_t>(got);
    // Step over what arrived: a read may stop short of the end of the iovecs.
    size_t left = static_cast<size_t>(got);
    while (count > 0 && left >= parts->iov_len) {
      left -= parts->iov_len;
      ++parts;
      --count;
    }
    if (count > 0) {
      parts->iov_base = static_cast<char*>(parts->iov_base) + left;
      parts->iov_len -= left;
    }
  }
  return done;
}

}  // namespace

RecordIndex::RecordIndex(const std::vector<std::string>& paths, const std::vector<uint32_t>& files,
                         const RecordReaderOptions& options, int threads) {
  std::vector<FileScan> scans(files.size());
  std::atomic<size_t> next{0};
  std::exception_ptr failure;
  std::atomic<bool> failed{false};
  auto work = [&] {
    for (size_t i; !failed && (i = next++) < files.size();) {
      try {
        scans[i] = scan_file(paths[files[i]], files[i], options);
      } catch (...) {
        if (!failed.exchange(true)) failure = std::current_exception();
      }
    }
  };
  const size_t workers = std::min<size_t>(files.size(), static_cast<size_t>(std::max(threads, 1)));
  if (workers <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (size_t w = 0; w < workers; ++w) pool.emplace_back(work);
    for (std::thread& thread : pool) thread.join();
  }
  if (failure) std::rethrow_exception(failure);
  first_entry_.assign(paths.size(), 0);
  size_t total = 0;
  for (const FileScan& scan : scans) total += scan.entries.size();
  entries_.reserve(total);
  for (size_t i = 0; i < scans.size(); ++i) {
    FileScan& scan = scans[i];
    first_entry_[files[i]] = entries_.size();
    compressed_ = compressed_ || scan.compressed;
    const auto base = static_cast<int32_t>(errors_.size());
    for (IndexedRecord entry : scan.entries) {
      if (entry.error >= 0) entry.error += base;
      entries_.push_back(entry);
    }
    for (DataError& error : scan.errors) errors_.push_back(std::move(error));
    scan = FileScan();
  }
}

IndexedRecordReader::~IndexedRecordReader() {
  for (const auto& [file, fd] : open_) ::close(fd);
}

int IndexedRecordReader::open_file(uint32_t file) {
  if (!open_.empty() && open_.back().first == file) return open_.back().second;
  for (size_t i = open_.size(); i-- > 0;) {
    if (open_[i].first == file) {
      const auto hit = open_[i];
      open_.erase(open_.begin() + static_cast<std::ptrdiff_t>(i));
      open_.push_back(hit);
      return hit.second;
    }
  }
  const int fd = ::open(paths_[file].c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  constexpr size_t kOpenFiles = 16;
  if (open_.size() == kOpenFiles) {
    ::close(open_.front().second);
    open_.erase(open_.begin());
  }
  open_.emplace_back(file, fd);
  return fd;
}

void IndexedRecordReader::read(const RecordIndex& index, size_t entry, std::string& data) {
  const IndexedRecord& record = index[entry];
  if (record.error >= 0) throw DataError(index.error(record.error));
  const std::string& path = paths_[record.file];
  const int64_t number = index.record_in_file(entry);
  const int fd = open_file(record.file);
  if (fd < 0) {
    throw DataError(DataErrorKind::kUnreadable, path, record.offset, number, "",
                    fmt::format("cannot open: {}", std::strerror(errno)));
  }
  const uint64_t total = kRecordHeaderSize + record.length + kRecordFooterSize;
  const auto changed = [&](DataErrorKind kind, const std::string& what) {
    return DataError(kind, path, record.offset, number, "",
                     fmt::format("{}: the file changed after it was indexed at the start", what))
        .with_bytes_lost(total);
  };
  char header[kRecordHeaderSize];
  char footer[kRecordFooterSize];
  data.resize(static_cast<size_t>(record.length));
  struct iovec parts[3] = {{header, sizeof(header)}, {data.data(), data.size()}, {footer, sizeof(footer)}};
  const size_t got = read_at(fd, parts, 3, record.offset, path, record.offset, number);
  if (got < sizeof(header)) throw changed(DataErrorKind::kTruncated, "the file ends inside the record's header");
  if (load_record_u64(header) != record.length || crc32c_unmask(load_record_u32(header + 8)) != crc32c(header, 8))
    throw changed(DataErrorKind::kUnreadable, "the record's header is not the one indexed");
  if (got < total) throw changed(DataErrorKind::kTruncated, "the file ends inside the record");
  if (!verify_crc_) return;
  const uint32_t stored = crc32c_unmask(load_record_u32(footer));
  const uint32_t computed = crc32c(data.data(), data.size());
  if (stored != computed) {
    throw DataError(DataErrorKind::kDataCrc, path, record.offset, number, "",
                    fmt::format("data CRC mismatch (stored 0x{:08x}, computed 0x{:08x})", stored, computed))
        .with_bytes_lost(total);
  }
}

void IndexedRecordReader::will_need(const RecordIndex& index, size_t entry) {
  const IndexedRecord& record = index[entry];
  if (record.error >= 0) return;
  int8_t& cached = cached_[record.file];
  if (cached < 0) cached = page_cache_share(paths_[record.file]) >= 0.9 ? 1 : 0;
  if (cached == 1) return;
  const int fd = open_file(record.file);
  if (fd < 0) return;
  ::posix_fadvise(fd, static_cast<off_t>(record.offset),
                  static_cast<off_t>(kRecordHeaderSize + record.length + kRecordFooterSize), POSIX_FADV_WILLNEED);
}

}  // namespace ynet::data

#pragma once
// Where a RecordReader's bytes come from: a plain file or a GZIP/ZLIB stream inflated on the fly.
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>

#include "runtime/data/compression.h"
#include "runtime/data/prefetched_file.h"

namespace ynet::data {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads up to `size` bytes; returns fewer only at the end of the stream. Throws DataError
  // (kUnreadable, kBadCompression).
  virtual size_t read(char* dst, size_t size) = 0;
  // Discards up to `size` bytes; returns how many were discarded.
  virtual size_t skip(size_t size) = 0;
};

// Opens `path`, read ahead in blocks as `reading` says (runtime/data/prefetched_file.h); with
// Compression::kAuto the first bytes decide. Throws DataError (kUnreadable, kEmptyFile). `detected`
// receives the compression in use.
std::unique_ptr<ByteSource> open_byte_source(const std::string& path, Compression requested, Compression& detected,
                                             const PrefetchOptions& reading);

}  // namespace ynet::data

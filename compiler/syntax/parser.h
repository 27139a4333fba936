#pragma once
// Reading .ynet files: bytes -> checked UTF-8 -> ANTLR parse -> syntax tree, with `include`s
// resolved in place. Every problem becomes a diagnostic; nothing throws on bad input.
#include <string>
#include <vector>

#include "compiler/syntax/ast.h"
#include "compiler/syntax/diagnostics.h"

namespace ynet::syntax {

// Limits that keep hostile input from exhausting the stack or the clock.
inline constexpr int kMaxNesting = 64;          // brackets (, {
inline constexpr int kMaxIncludeDepth = 16;
inline constexpr size_t kMaxFileBytes = 4u << 20;
inline constexpr size_t kMaxSyntaxErrors = 20;

// Parses one registered file of `sources`.
std::vector<Item> parse_file(SourceManager& sources, int file, DiagnosticSink& diags);

// Parses `text` as the spec at `path` and splices every `include` (relative to the including file)
// in place of the include item. Include cycles and unreadable files are reported at the include.
std::vector<Item> load_spec(const std::string& path, const std::string& text, SourceManager& sources,
                            DiagnosticSink& diags);

// Reads a whole file; false (and `error` set) when it cannot be read.
bool read_file(const std::string& path, std::string& contents, std::string& error);

}  // namespace ynet::syntax

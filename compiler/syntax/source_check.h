#pragma once
#include <string>

#include "compiler/syntax/diagnostics.h"

namespace ynet::syntax {

// Registers spec text with `sources` after checking the raw bytes: invalid UTF-8 and control
// characters are reported and replaced by spaces (so the lexer never sees them and carets still line
// up); a file that is too large or nests brackets deeper than kMaxNesting is reported and marked not
// `parseable`, so that no recursive stage ever sees it. Returns the file's id.
int register_source(SourceManager& sources, std::string path, std::string text, DiagnosticSink& diags,
                    bool& parseable);

}  // namespace ynet::syntax

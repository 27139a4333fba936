#include "compiler/syntax/source_check.h"

#include <fmt/format.h>

#include "compiler/syntax/parser.h"

namespace ynet::syntax {
namespace {

// Length of the valid UTF-8 sequence starting at text[i], or 0 if it is not valid.
size_t utf8_sequence_length(const std::string& text, size_t i) {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(text[k]); };
  unsigned char c = byte(i);
  size_t n;
  uint32_t cp;
  if (c < 0x80) return 1;
  if ((c & 0xE0) == 0xC0) { n = 2; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; cp = c & 0x07; }
  else return 0;
  if (i + n > text.size()) return 0;
  for (size_t k = 1; k < n; ++k) {
    if ((byte(i + k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (byte(i + k) & 0x3F);
  }
  // Overlong forms, surrogates and values past U+10FFFF are invalid.
  static constexpr uint32_t kMinForLength[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMinForLength[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

// Tracks line and column (in code points) while scanning bytes.
struct Cursor {
  int line = 1, column = 1;
  void advance(char c) {
    if (c == '\n') { ++line; column = 1; } else { ++column; }
  }
};

}  // namespace

int register_source(SourceManager& sources, std::string path, std::string text, DiagnosticSink& diags,
                    bool& parseable) {
  const int file = static_cast<int>(sources.size());
  parseable = true;
  if (text.size() > kMaxFileBytes) {
    parseable = false;
    std::string message = fmt::format("spec file is too large ({} bytes; the limit is {} bytes)",
                                      text.size(), kMaxFileBytes);
    text.clear();
    sources.add(std::move(path), std::move(text));
    diags.error({file, 1, 1, 1}, message);
    return file;
  }

  // Pass 1: bytes. Bad ones become spaces; the first few are reported, the rest counted.
  Cursor cur;
  size_t bad = 0;
  SourceLoc first_bad;
  std::string first_message;
  for (size_t i = 0; i < text.size();) {
    unsigned char c = static_cast<unsigned char>(text[i]);
    size_t n = utf8_sequence_length(text, i);
    bool control = n == 1 && (c < 0x20 || c == 0x7F) && c != '\n' && c != '\t' && c != '\r';
    if (n == 0 || control) {
      if (bad == 0) {
        first_bad = {file, cur.line, cur.column, 1};
        first_message = n == 0 ? fmt::format("invalid UTF-8 byte 0x{:02x}", c)
                               : fmt::format("invalid control character 0x{:02x}", c);
      }
      ++bad;
      text[i] = ' ';
      cur.advance(' ');
      ++i;
      continue;
    }
    cur.advance(text[i]);
    i += n;
  }

  // Pass 2: bracket depth outside strings and comments, so that 1 MB of `(` never reaches a
  // recursive parser.
  SourceLoc too_deep;
  enum class State { Code, String, StringEscape, Comment } state = State::Code;
  int depth = 0;
  cur = Cursor{};
  for (size_t i = 0; i < text.size() && too_deep.file < 0; ++i) {
    char c = text[i];
    if (c == '\n') state = State::Code;  // strings and comments end at the line's end
    switch (state) {
      case State::Comment: break;
      case State::StringEscape: state = State::String; break;
      case State::String:
        if (c == '\\') state = State::StringEscape;
        if (c == '"') state = State::Code;
        break;
      case State::Code:
        if (c == '#' || (c == '/' && i + 1 < text.size() && text[i + 1] == '/')) state = State::Comment;
        else if (c == '"') state = State::String;
        else if (c == '(' || c == '{' || c == '[') {
          if (++depth > kMaxNesting) too_deep = {file, cur.line, cur.column, 1};
        } else if ((c == ')' || c == '}' || c == ']') && depth > 0) {
          --depth;
        }
        break;
    }
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) cur.advance(c);
  }

  sources.add(std::move(path), std::move(text));
  if (bad > 0) {
    // Parsing bytes that are not text only buries this error under consequences.
    parseable = false;
    diags.error(first_bad, first_message,
                bad > 1 ? fmt::format("{} invalid bytes in all; is this a spec file?", bad)
                        : "spec files are UTF-8 text");
  }
  if (too_deep.file >= 0) {
    parseable = false;
    diags.error(too_deep, fmt::format("brackets nest deeper than {} levels", kMaxNesting),
                "split the expression into named tensors");
  }
  return file;
}

}  // namespace ynet::syntax

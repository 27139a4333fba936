#include "compiler/syntax/parser.h"

#include <antlr4-runtime.h>
#include <fmt/format.h>

#include "YnetLexer.h"
#include "YnetParser.h"
#include "compiler/syntax/build_ast.h"
#include "compiler/syntax/source_check.h"

namespace ynet::syntax {
namespace {

struct TooManyErrors {};

// Friendly names for the tokens ANTLR expects, e.g. `)` or "a number".
std::string describe_token_type(const antlr4::dfa::Vocabulary& vocabulary, size_t type) {
  if (type == antlr4::Token::EOF) return "end of file";
  switch (type) {
    case grammar::YnetParser::NUMBER: return "a number";
    case grammar::YnetParser::STRING: return "a string";
    case grammar::YnetParser::IDENT: return "a name";
    default: break;
  }
  std::string literal = vocabulary.getLiteralName(type);
  if (literal.size() >= 2 && literal.front() == '\'') literal = literal.substr(1, literal.size() - 2);
  return fmt::format("`{}`", literal);
}

std::string describe_found(antlr4::Token* token) {
  if (token == nullptr || token->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = token->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  return fmt::format("`{}`", text);
}

// Turns ANTLR's error callbacks into ynet diagnostics; ANTLR's own wording never reaches the user.
// After the first error on a line, further errors on that line are consequences and are dropped.
class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(const SourceManager& sources, int file, DiagnosticSink& diags)
      : sources_(sources), file_(file), diags_(diags) {}

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, size_t line,
                   size_t column, const std::string&, std::exception_ptr) override {
    ++count_;
    if (static_cast<int>(line) == last_line_) return;
    last_line_ = static_cast<int>(line);
    SourceLoc loc{file_, static_cast<int>(line), static_cast<int>(column) + 1, 1};
    auto* parser = dynamic_cast<grammar::YnetParser*>(recognizer);
    if (parser == nullptr) {
      lexer_error(loc);
      lexer_errors_ = true;
    } else if (lexer_errors_) {
      return;  // a token the lexer could not make leaves a gap the parser would only trip over
    } else {
      parser_error(parser, offending, loc);
    }
    if (++reported_ >= kMaxSyntaxErrors) throw TooManyErrors{};
  }

  size_t count() const { return count_; }

 private:
  void lexer_error(SourceLoc loc) {
    std::string_view text = sources_.line(file_, loc.line);
    // The column counts code points; find the byte where the bad character starts.
    size_t byte = 0;
    for (int cp = 1; cp < loc.column && byte < text.size(); ++cp) {
      ++byte;
      while (byte < text.size() && (static_cast<unsigned char>(text[byte]) & 0xC0) == 0x80) ++byte;
    }
    if (byte < text.size() && text[byte] == '"') {
      diags_.error(loc, "unterminated string", "a string ends with `\"` on the same line");
      return;
    }
    size_t end = byte + 1;
    while (end < text.size() && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) ++end;
    std::string ch = byte < text.size() ? std::string(text.substr(byte, end - byte)) : std::string("?");
    diags_.error(loc, fmt::format("unexpected character `{}`", ch),
                 "names are letters, digits and `_`; comments start with `#` or `//`");
  }

  void parser_error(grammar::YnetParser* parser, antlr4::Token* offending, SourceLoc loc) {
    if (offending != nullptr && offending->getType() != antlr4::Token::EOF) {
      loc.length = std::max(1, static_cast<int>(offending->getStopIndex() - offending->getStartIndex() + 1));
    }
    std::vector<std::string> expected;
    try {
      antlr4::misc::IntervalSet set = parser->getExpectedTokens();
      if (set.contains(static_cast<size_t>(grammar::YnetParser::NUMBER)) &&
          set.contains(static_cast<size_t>(grammar::YnetParser::IDENT))) {
        expected.push_back("a value");
      } else if (set.size() <= 5) {
        for (ssize_t type : set.toList()) {
          expected.push_back(describe_token_type(parser->getVocabulary(), static_cast<size_t>(type)));
        }
      }
    } catch (const std::exception&) {
      expected.clear();  // no expectation is known in this state; the message still names the token
    }
    std::string message = fmt::format("unexpected {}", describe_found(offending));
    if (!expected.empty()) {
      std::string list = expected[0];
      for (size_t i = 1; i < expected.size(); ++i) {
        list += (i + 1 == expected.size() ? " or " : ", ") + expected[i];
      }
      message += fmt::format("; expected {}", list);
    }
    diags_.error(loc, message, hint_for(offending));
  }

  static std::string hint_for(antlr4::Token* offending) {
    if (offending == nullptr) return {};
    std::string text = offending->getText();
    if (text == "=") return "keyword arguments are written `name: value`; `=` assigns a tensor or a setting";
    if (text == "model" || text == "train" || text == "param") return "is a `}` missing above?";
    return {};
  }

  const SourceManager& sources_;
  int file_;
  DiagnosticSink& diags_;
  int last_line_ = -1;
  bool lexer_errors_ = false;
  size_t count_ = 0;
  size_t reported_ = 0;
};

}  // namespace

std::vector<Item> parse_file(SourceManager& sources, int file, DiagnosticSink& diags) {
  const size_t errors_before = diags.error_count();
  const std::string& text = sources.text(file);
  antlr4::ANTLRInputStream input(text);
  grammar::YnetLexer lexer(&input);
  antlr4::CommonTokenStream tokens(&lexer);
  grammar::YnetParser parser(&tokens);
  ErrorListener listener(sources, file, diags);
  lexer.removeErrorListeners();
  lexer.addErrorListener(&listener);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);

  grammar::YnetParser::FileContext* tree = nullptr;
  try {
    tree = parser.file();
  } catch (const TooManyErrors&) {
    diags.error({}, fmt::format("{}: too many syntax errors; stopping", sources.path(file)));
    return {};
  }
  if (listener.count() > 0 || diags.error_count() > errors_before) return {};
  return build_items(tree, file);
}

}  // namespace ynet::syntax

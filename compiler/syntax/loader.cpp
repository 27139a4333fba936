#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "compiler/syntax/parser.h"
#include "compiler/syntax/source_check.h"

namespace ynet::syntax {
namespace {

namespace fs = std::filesystem;

std::string canonical_key(const std::string& path) {
  std::error_code ec;
  fs::path p = fs::weakly_canonical(fs::path(path), ec);
  return ec ? fs::path(path).lexically_normal().string() : p.string();
}

class Loader {
 public:
  Loader(SourceManager& sources, DiagnosticSink& diags) : sources_(sources), diags_(diags) {}

  std::vector<Item> load(const std::string& path, std::string text) {
    bool parseable = false;
    int file = register_source(sources_, path, std::move(text), diags_, parseable);
    if (!parseable) return {};
    std::vector<Item> items = parse_file(sources_, file, diags_);
    stack_.push_back(canonical_key(path));
    std::vector<Item> out = splice(std::move(items), path);
    stack_.pop_back();
    return out;
  }

 private:
  std::vector<Item> splice(std::vector<Item> items, const std::string& including_path) {
    std::vector<Item> out;
    for (Item& it : items) {
      if (it.kind == Item::Kind::Model) it.body = splice(std::move(it.body), including_path);
      if (it.kind != Item::Kind::Include) {
        out.push_back(std::move(it));
        continue;
      }
      for (Item& included : include(it, including_path)) out.push_back(std::move(included));
    }
    return out;
  }

  std::vector<Item> include(const Item& it, const std::string& including_path) {
    fs::path target = fs::path(it.name);
    if (target.is_relative()) target = fs::path(including_path).parent_path() / target;
    std::string target_path = target.lexically_normal().string();
    std::string key = canonical_key(target_path);
    for (size_t i = 0; i < stack_.size(); ++i) {
      if (stack_[i] != key) continue;
      std::string chain;
      for (size_t k = i; k < stack_.size(); ++k) chain += fs::path(stack_[k]).filename().string() + " -> ";
      chain += fs::path(key).filename().string();
      diags_.error(it.name_loc, fmt::format("include cycle: {}", chain),
                   "a file may be included once along any chain of includes");
      return {};
    }
    if (stack_.size() >= static_cast<size_t>(kMaxIncludeDepth)) {
      diags_.error(it.name_loc, fmt::format("includes nest deeper than {} files", kMaxIncludeDepth));
      return {};
    }
    std::string text, error;
    if (!read_file(target_path, text, error)) {
      diags_.error(it.name_loc, fmt::format("cannot include `{}`: {}", it.name, error),
                   fmt::format("include paths are relative to the including file (looked for {})",
                               target_path));
      return {};
    }
    return load(target_path, std::move(text));
  }

  SourceManager& sources_;
  DiagnosticSink& diags_;
  std::vector<std::string> stack_;
};

}  // namespace

bool read_file(const std::string& path, std::string& contents, std::string& error) {
  std::error_code ec;
  fs::file_status status = fs::status(path, ec);
  if (ec || !fs::exists(status)) {
    error = "no such file";
    return false;
  }
  // Devices and pipes could stream forever; only regular files are specs.
  if (!fs::is_regular_file(status)) {
    error = fs::is_directory(status) ? "is a directory" : "not a regular file";
    return false;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    error = "cannot open the file";
    return false;
  }
  // One byte past the limit is enough for register_source to report the file as too large.
  contents.assign(kMaxFileBytes + 1, '\0');
  in.read(contents.data(), static_cast<std::streamsize>(contents.size()));
  if (in.bad()) {
    error = "read error";
    return false;
  }
  contents.resize(static_cast<size_t>(in.gcount()));
  return true;
}

std::vector<Item> load_spec(const std::string& path, const std::string& text, SourceManager& sources,
                            DiagnosticSink& diags) {
  Loader loader(sources, diags);
  return loader.load(path, text);
}

}  // namespace ynet::syntax

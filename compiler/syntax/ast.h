#pragma once
// The syntax tree of a .ynet file, with source locations; produced from the ANTLR parse tree.
#include <memory>
#include <string>
#include <vector>

#include "compiler/syntax/diagnostics.h"

namespace ynet::syntax {

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Argument {
  std::string name;  // empty for a positional argument
  SourceLoc name_loc;
  ExprPtr value;
};

struct Expr {
  enum class Kind {
    Number,    // 2e-4, 100k, `10M samples` (unit)
    String,    // "text"
    Bool,      // true | false
    Name,      // x, target.classes (members)
    Call,      // Dense(x, units: 10)
    Pipeline,  // a -> B -> C(1): stages, at least two
    Network,   // { Dense(1024, relu) -> Dense(1024) }: stages[0] is the body
    Repeat,    // repeat N { body }: stages[0] is N, stages[1] the body
  };
  Kind kind = Kind::Number;
  SourceLoc loc;  // the whole expression where it fits on one line, else its first token

  double number = 0;
  std::string unit;
  SourceLoc unit_loc;
  bool boolean = false;
  std::string text;  // string value, name, or callee
  SourceLoc name_loc;  // callee or name token
  std::vector<std::string> members;
  std::vector<SourceLoc> member_locs;
  std::vector<Argument> args;
  std::vector<ExprPtr> stages;
};

struct Item {
  enum class Kind { Include, Param, Model, Train, Input, Labels, Loss, Output, Assign };
  Kind kind = Kind::Assign;
  SourceLoc loc;       // the leading keyword or name
  std::string name;    // param, model, tensor or input name; include path
  SourceLoc name_loc;
  ExprPtr value;
  std::vector<Item> body;          // model items
  std::vector<Argument> settings;  // train block: `name = value`
};

const char* item_kind_name(Item::Kind k);

}  // namespace ynet::syntax

#include "compiler/syntax/build_ast.h"

#include <cstdlib>

namespace ynet::syntax {
namespace {

using P = grammar::YnetParser;

class Builder {
 public:
  explicit Builder(int file) : file_(file) {}

  SourceLoc loc(antlr4::Token* t) const {
    int length = static_cast<int>(t->getStopIndex() - t->getStartIndex() + 1);
    return {file_, static_cast<int>(t->getLine()), static_cast<int>(t->getCharPositionInLine()) + 1,
            std::max(1, length)};
  }
  SourceLoc loc(antlr4::tree::TerminalNode* n) const { return loc(n->getSymbol()); }
  // A whole rule: underlined to its end when it ends on the line it starts on.
  SourceLoc loc(antlr4::ParserRuleContext* ctx) const {
    SourceLoc l = loc(ctx->getStart());
    antlr4::Token* stop = ctx->getStop();
    if (stop != nullptr && stop->getLine() == ctx->getStart()->getLine() &&
        stop->getStopIndex() >= ctx->getStart()->getStartIndex()) {
      l.length = static_cast<int>(stop->getStopIndex() - ctx->getStart()->getStartIndex() + 1);
    }
    return l;
  }

  std::vector<Item> items(const std::vector<P::ItemContext*>& contexts) {
    std::vector<Item> out;
    for (P::ItemContext* c : contexts) out.push_back(item(c));
    return out;
  }

  Item item(P::ItemContext* c) {
    Item it;
    if (auto* d = c->includeDecl()) {
      it.kind = Item::Kind::Include;
      it.loc = loc(d->getStart());
      it.name = unquote(d->STRING()->getText());
      it.name_loc = loc(d->STRING());
    } else if (auto* d = c->paramDecl()) {
      it.kind = Item::Kind::Param;
      named(it, d, d->IDENT());
      it.value = expr(d->expr());
    } else if (auto* d = c->modelDecl()) {
      it.kind = Item::Kind::Model;
      named(it, d, d->IDENT());
      it.body = items(d->item());
    } else if (auto* d = c->trainDecl()) {
      it.kind = Item::Kind::Train;
      it.loc = loc(d->getStart());
      for (P::SettingContext* s : d->setting()) {
        it.settings.push_back({s->name()->getText(), loc(s->name()), expr(s->expr())});
      }
    } else if (auto* d = c->inputDecl()) {
      it.kind = Item::Kind::Input;
      named(it, d, d->IDENT());
      it.value = call(d->call());
    } else if (auto* d = c->labelsDecl()) {
      it.kind = Item::Kind::Labels;
      named(it, d, d->IDENT());
      it.value = call(d->call());
    } else if (auto* d = c->lossDecl()) {
      it.kind = Item::Kind::Loss;
      it.loc = loc(d->getStart());
      it.value = expr(d->expr());
    } else if (auto* d = c->outputDecl()) {
      it.kind = Item::Kind::Output;
      it.loc = loc(d->getStart());
      it.value = expr(d->expr());
    } else if (auto* d = c->assignment()) {
      it.kind = Item::Kind::Assign;
      it.name = d->IDENT()->getText();
      it.loc = it.name_loc = loc(d->IDENT());
      it.value = expr(d->expr());
    }
    return it;
  }

 private:
  void named(Item& it, antlr4::ParserRuleContext* d, antlr4::tree::TerminalNode* id) {
    it.loc = loc(d->getStart());
    it.name = id->getText();
    it.name_loc = loc(id);
  }

  ExprPtr expr(P::ExprContext* c) {
    std::vector<P::PrimaryContext*> parts = c->primary();
    if (parts.size() == 1) return primary(parts[0]);
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Pipeline;
    e->loc = loc(c);
    for (P::PrimaryContext* p : parts) e->stages.push_back(primary(p));
    return e;
  }

  ExprPtr call(P::CallContext* c) {
    auto e = std::make_unique<Expr>();
    e->kind = Expr::Kind::Call;
    e->loc = loc(c);
    e->text = c->IDENT()->getText();
    e->name_loc = loc(c->IDENT());
    for (P::ArgumentContext* a : c->argument()) {
      Argument arg;
      if (a->name() != nullptr) {
        arg.name = a->name()->getText();
        arg.name_loc = loc(a->name());
      }
      arg.value = expr(a->expr());
      e->args.push_back(std::move(arg));
    }
    return e;
  }

  ExprPtr primary(P::PrimaryContext* c) {
    if (auto* p = dynamic_cast<P::CallPrimaryContext*>(c)) return call(p->call());
    if (auto* p = dynamic_cast<P::ParenPrimaryContext*>(c)) return expr(p->expr());
    auto e = std::make_unique<Expr>();
    e->loc = loc(c);
    if (auto* p = dynamic_cast<P::NumberPrimaryContext*>(c)) {
      e->kind = Expr::Kind::Number;
      e->text = p->NUMBER()->getText();
      e->number = number_value(e->text);
      if (p->unit() != nullptr) {
        e->unit = p->unit()->getText();
        e->unit_loc = loc(p->unit());
      }
    } else if (auto* p = dynamic_cast<P::StringPrimaryContext*>(c)) {
      e->kind = Expr::Kind::String;
      e->text = unquote(p->STRING()->getText());
    } else if (dynamic_cast<P::BoolPrimaryContext*>(c) != nullptr) {
      e->kind = Expr::Kind::Bool;
      e->boolean = c->getText() == "true";
    } else if (auto* p = dynamic_cast<P::NamePrimaryContext*>(c)) {
      e->kind = Expr::Kind::Name;
      e->text = p->IDENT()->getText();
      e->name_loc = loc(p->IDENT());
      for (P::NameContext* m : p->name()) {
        e->members.push_back(m->getText());
        e->member_locs.push_back(loc(m));
      }
    } else if (auto* p = dynamic_cast<P::NetworkPrimaryContext*>(c)) {
      e->kind = Expr::Kind::Network;
      e->stages.push_back(expr(p->expr()));
    } else if (auto* p = dynamic_cast<P::RepeatPrimaryContext*>(c)) {
      e->kind = Expr::Kind::Repeat;
      e->name_loc = loc(p->getStart());
      e->stages.push_back(primary(p->primary()));
      e->stages.push_back(expr(p->expr()));
    }
    return e;
  }

  static std::string unquote(const std::string& quoted) {
    std::string out;
    for (size_t i = 1; i + 1 < quoted.size(); ++i) {
      if (quoted[i] == '\\' && i + 2 < quoted.size()) {
        char next = quoted[++i];
        out += next == 'n' ? '\n' : next == 't' ? '\t' : next;
      } else {
        out += quoted[i];
      }
    }
    return out;
  }

  int file_;
};

}  // namespace

double number_value(const std::string& text) {
  double multiplier = 1;
  std::string digits = text;
  switch (digits.empty() ? '\0' : digits.back()) {
    case 'k': multiplier = 1e3; break;
    case 'M': multiplier = 1e6; break;
    case 'G': multiplier = 1e9; break;
    default: break;
  }
  if (multiplier != 1) digits.pop_back();
  return std::strtod(digits.c_str(), nullptr) * multiplier;
}

std::vector<Item> build_items(grammar::YnetParser::FileContext* tree, int file) {
  Builder b(file);
  return b.items(tree->item());
}

const char* item_kind_name(Item::Kind k) {
  switch (k) {
    case Item::Kind::Include: return "include";
    case Item::Kind::Param: return "param";
    case Item::Kind::Model: return "model";
    case Item::Kind::Train: return "train";
    case Item::Kind::Input: return "input";
    case Item::Kind::Labels: return "labels";
    case Item::Kind::Loss: return "loss";
    case Item::Kind::Output: return "output";
    case Item::Kind::Assign: return "assignment";
  }
  return "item";
}

}  // namespace ynet::syntax

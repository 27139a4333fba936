#pragma once
// Parse tree -> syntax tree. Only called on trees without syntax errors, so every child the grammar
// requires is present.
#include <vector>

#include "YnetParser.h"
#include "compiler/syntax/ast.h"

namespace ynet::syntax {

std::vector<Item> build_items(grammar::YnetParser::FileContext* tree, int file);

// The value of a number literal: digits, optional fraction and exponent, then a k/M/G multiplier.
double number_value(const std::string& text);

}  // namespace ynet::syntax

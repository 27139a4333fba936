#pragma once
// Checks one `model { }` block: inputs and labels, every layer call (names, arguments, shapes,
// parameters), `loss` and `output`, unused tensors. Internal to the checker.
#include "compiler/sema/checked_model.h"
#include "compiler/sema/values.h"
#include "compiler/syntax/ast.h"

namespace ynet::sema {

// Fills `model` from `block` (a Model item). `trained`: the spec has a train block, so a loss is
// required. Problems go to `diags`.
void check_model(const syntax::Item& block, bool trained, ParamTable& params, syntax::DiagnosticSink& diags,
                 CheckedModel& model);

}  // namespace ynet::sema

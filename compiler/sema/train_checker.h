#pragma once
// Checks the `train { }` block: batch, optimizer and schedule calls, steps, clipping, eval, seed.
#include "compiler/sema/checked_model.h"
#include "compiler/sema/values.h"
#include "compiler/syntax/ast.h"

namespace ynet::sema {

void check_train(const syntax::Item& block, ParamTable& params, syntax::DiagnosticSink& diags, TrainConfig& out);

// The settings a train block accepts, for documentation: name, type, default, doc.
struct TrainSettingDoc {
  std::string name, type, default_value, doc;
};
std::vector<TrainSettingDoc> train_setting_docs();

}  // namespace ynet::sema

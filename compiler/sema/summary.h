#pragma once
// The layer summary table printed by `ynet check`: layer, op, output shape, parameters, totals.
#include <string>

#include "compiler/sema/checked_model.h"

namespace ynet::sema {

std::string format_summary(const CheckedModel& model);

// 1234567 -> "1,234,567"
std::string with_thousands(int64_t n);

}  // namespace ynet::sema

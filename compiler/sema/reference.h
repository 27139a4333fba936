#pragma once
// The language reference generated from the registry: every layer, loss, optimizer and schedule
// with its arguments, defaults, ranges and documentation. `ynet help layers` prints it and
// docs/language.md embeds it verbatim (a test keeps the two identical).
#include <string>

namespace ynet::sema {

std::string reference_markdown();

}  // namespace ynet::sema

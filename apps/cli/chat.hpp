// `panocarbon chat`: the conversational layer (src/agents, docs/chat.md) as a command: one question, or an
// interactive session with history.
#pragma once
#include "panocarbon/options.hpp"

namespace panocarbon::cli {

// Runs `chat` with its parsed options (frontend_commands()' spec): returns the exit code. Throws Error for bad
// options (an empty question, a --data that is not a folder).
int run_chat(const Params& params);

}  // namespace panocarbon::cli

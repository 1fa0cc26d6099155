// The model path of the conversational layer (src/agents/model.cpp, docs/chat-model.md): the question goes to
// an OpenAI-compatible /v1/chat/completions endpoint with the registry's capabilities as tools; each tool call
// runs through execute(), and the model's final text is checked with unsupported_numbers(). Internal to
// src/agents: ask() calls it when options.model.url is set.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "panocarbon/agents.hpp"

namespace panocarbon::agents {

// The answer of the model, or nullopt when the model path failed (HTTP error, timeout, malformed reply, too
// many rounds, an answer the verifier rejected twice); then `warnings` says what happened and ask() answers
// with the deterministic planner.
std::optional<Answer> ask_model(const std::string& question, Context& ctx, const ChatOptions& options,
                                const std::vector<Turn>& history, std::vector<std::string>& warnings);

}  // namespace panocarbon::agents

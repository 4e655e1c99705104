// The JSON bodies of serve's API, written with RapidJSON:
//   - a ModelList as ModelRegistry::models returns it (source, as_of, age_seconds, warnings);
//   - the OpenAI list shape ({"object":"list","data":[{"id","object","created","owned_by"}]})
//     that OpenAI's clients, Open WebUI and LibreChat read;
//   - a resolve answer, and errors in OpenAI's shape ({"error":{"message","type","param"}}).
// Pure functions.
#pragma once

#include <string>
#include <vector>

#include "airreg/model_registry.hpp"

namespace airreg::serve {

std::string model_list_json(const ModelList& list, SystemTime now);
// {"answers":[...]} for several providers.
std::string model_lists_json(const std::vector<std::shared_ptr<const ModelList>>& lists, SystemTime now);
// bare_ids: "gpt-4o" instead of "openai/gpt-4o" (a client asking one provider).
std::string openai_models_json(const std::vector<std::shared_ptr<const ModelList>>& lists, bool bare_ids);
// One model of the list, as OpenAI's GET /v1/models/{id}.
std::string openai_model_json(const ModelList& list, const RegistryRow& row, bool bare_id);
std::string resolve_json(const std::string& provider, ModelCategory category, const std::string& requested,
                         const ModelChoice& choice);
std::string error_json(const std::string& message, const std::string& type, const std::string& param = "");

}  // namespace airreg::serve

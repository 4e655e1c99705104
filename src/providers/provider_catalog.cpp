#include "providers/provider_catalog.hpp"

namespace airreg::providers {

const std::vector<ProviderKind>& builtin_providers() {
  static const std::vector<ProviderKind> kProviders{
      {"openai", "openai", true, true, "https://api.openai.com/v1", {"OPENAI_BASE_URL"}, {"OPENAI_API_KEY"}, true,
       Auth::bearer, {}, &list_openai_style, &list_openai_style},
      {"anthropic", "anthropic", true, false, "https://api.anthropic.com/v1", {"ANTHROPIC_BASE_URL"},
       {"ANTHROPIC_API_KEY"}, true, Auth::x_api_key, {{"anthropic-version", "2023-06-01"}}, &list_anthropic, nullptr},
      {"google", "google", true, true, "https://generativelanguage.googleapis.com/v1beta",
       {"GOOGLE_BASE_URL", "GEMINI_BASE_URL"}, {"GEMINI_API_KEY", "GOOGLE_API_KEY"}, true, Auth::x_goog_api_key, {},
       &list_google, &list_google},
      {"mistral", "mistral", true, false, "https://api.mistral.ai/v1", {"MISTRAL_BASE_URL"}, {"MISTRAL_API_KEY"}, true,
       Auth::bearer, {}, &list_openai_style, nullptr},
      {"groq", "groq", true, false, "https://api.groq.com/openai/v1", {"GROQ_BASE_URL"}, {"GROQ_API_KEY"}, true,
       Auth::bearer, {}, &list_openai_style, nullptr},
      {"xai", "xai", true, false, "https://api.x.ai/v1", {"XAI_BASE_URL"}, {"XAI_API_KEY"}, true, Auth::bearer, {},
       &list_xai, nullptr},
      {"openrouter", "openrouter", true, false, "https://openrouter.ai/api/v1", {"OPENROUTER_BASE_URL"},
       {"OPENROUTER_API_KEY"}, false, Auth::bearer, {}, &list_openrouter, nullptr},
      {"ollama", "ollama", true, false, "http://localhost:11434", {"OLLAMA_BASE_URL", "OLLAMA_HOST"}, {}, false,
       Auth::none, {}, &list_ollama, nullptr},
      {"elevenlabs", "elevenlabs", false, true, "https://api.elevenlabs.io/v1", {"ELEVENLABS_BASE_URL"},
       {"ELEVENLABS_API_KEY"}, true, Auth::xi_api_key, {}, nullptr, &list_elevenlabs},
      {"azure", "azure", false, true, "https://{region}.tts.speech.microsoft.com", {"AZURE_SPEECH_BASE_URL"},
       {"AZURE_SPEECH_KEY"}, true, Auth::ocp_apim, {}, nullptr, &list_azure_voices},
  };
  return kProviders;
}

}  // namespace airreg::providers

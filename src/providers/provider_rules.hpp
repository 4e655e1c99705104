// schema/provider_rules.json: per provider, ordered glob rules that class a listed id as a
// text model, a TTS model or skipped (with the reason), and the checks on the provider's entry
// a model of a category must also pass. Immutable after load; thread-safe to share.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "airreg/discovery.hpp"

namespace airreg::providers {

// A check on the provider's entry, e.g. capabilities.completion_chat is true, or
// supportedGenerationMethods contains "generateContent".
struct FieldCheck {
  std::vector<std::string> path;
  std::optional<bool> is;
  std::string contains;
  std::string skip;  // the reason given when the check fails
};

struct Verdict {
  std::optional<ModelCategory> category;  // kept as; empty: skipped
  std::string skip;                       // why, when skipped
  bool matched = false;                   // a rule matched (false: the default, "unclassified")
};

class ProviderRules {
 public:
  static Result<ProviderRules> load(const std::string& path);
  static Result<ProviderRules> parse(const std::string& json, const std::string& source_name);

  struct Rule {
    std::vector<std::string> globs;
    std::optional<ModelCategory> category;
    std::string skip;
  };
  // One provider's rules: a listing looks them up once, not once per entry.
  struct Provider {
    std::vector<Rule> rules;
    std::string default_skip;
    std::vector<FieldCheck> text_checks, tts_checks;

    Verdict classify(std::string_view id) const;
    const std::vector<FieldCheck>& checks(ModelCategory category) const {
      return category == ModelCategory::text ? text_checks : tts_checks;
    }
  };

  bool knows(const std::string& provider) const { return providers_.count(provider) > 0; }
  // The provider's rules; null when it has none.
  const Provider* find(const std::string& provider) const;
  Verdict classify(const std::string& provider, std::string_view id) const;
  const std::vector<FieldCheck>& checks(const std::string& provider, ModelCategory category) const;

 private:
  std::map<std::string, Provider> providers_;
};

// fnmatch's patterns without FNM_PATHNAME, case-insensitive: '*' matches any run of
// characters ('/' too), '?' any one, "[0-9]" one of a class ("[!...]" or "[^...]": not one).
bool glob_match(std::string_view pattern, std::string_view text);
// Why a pattern cannot work (an unclosed '['), for the rules file's error message.
std::optional<std::string> glob_problem(std::string_view pattern);

}  // namespace airreg::providers

#include "providers/provider_rules.hpp"

#include <simdjson.h>

#include <cctype>

#include "core/durable_file.hpp"

namespace airreg::providers {

namespace {

using simdjson::dom::element;

Error rules_error(const std::string& source, const std::string& what) {
  return make_error(ErrorCode::config, source + ": " + what);
}

std::vector<std::string> split_path(std::string_view dotted) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t i = 0; i <= dotted.size(); ++i)
    if (i == dotted.size() || dotted[i] == '.') {
      parts.emplace_back(dotted.substr(start, i - start));
      start = i + 1;
    }
  return parts;
}

Result<std::vector<FieldCheck>> parse_checks(element list, const std::string& where) {
  std::vector<FieldCheck> checks;
  simdjson::dom::array arr;
  if (list.get(arr) != simdjson::SUCCESS) return std::unexpected(make_error(ErrorCode::config, where + " must be a list"));
  for (element c : arr) {
    FieldCheck check;
    std::string_view field, contains, skip;
    bool is;
    if (c["field"].get(field) != simdjson::SUCCESS || field.empty())
      return std::unexpected(make_error(ErrorCode::config, where + ": a check without \"field\""));
    check.path = split_path(field);
    if (c["is"].get(is) == simdjson::SUCCESS) check.is = is;
    if (c["contains"].get(contains) == simdjson::SUCCESS) check.contains = contains;
    if (!check.is && check.contains.empty())
      return std::unexpected(make_error(ErrorCode::config, where + ": check on " + std::string(field) + " needs \"is\" or \"contains\""));
    check.skip = c["skip"].get(skip) == simdjson::SUCCESS ? std::string(skip) : "fails " + std::string(field);
    checks.push_back(std::move(check));
  }
  return checks;
}

}  // namespace

namespace {

// ASCII only, without std::tolower's locale lookup: ids and patterns are ASCII, and this runs
// for every character of every listed id.
char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

// The length of the character class starting at p[at] ('['), or 0 when it is not closed (then
// '[' is an ordinary character, as fnmatch has it).
size_t class_length(std::string_view p, size_t at) {
  size_t i = at + 1;
  if (i < p.size() && (p[i] == '!' || p[i] == '^')) ++i;
  if (i < p.size() && p[i] == ']') ++i;  // a ']' first is a member
  while (i < p.size() && p[i] != ']') ++i;
  return i < p.size() ? i - at + 1 : 0;
}

bool in_class(std::string_view cls, char c) {  // cls: "[...]" whole
  size_t i = 1;
  bool negated = i < cls.size() - 1 && (cls[i] == '!' || cls[i] == '^');
  if (negated) ++i;
  bool found = false;
  char lc = lower(c);
  for (size_t first = i; i < cls.size() - 1; ++i) {
    if (cls[i] == ']' && i != first) break;
    if (i + 2 < cls.size() - 1 && cls[i + 1] == '-') {
      char lo = lower(cls[i]), hi = lower(cls[i + 2]);
      if (lc >= lo && lc <= hi) found = true;
      i += 2;
    } else if (lower(cls[i]) == lc) {
      found = true;
    }
  }
  return found != negated;
}

// Whether the pattern token at p[pi] (a character, '?' or a class) takes c; `length` is its size.
bool one(std::string_view p, size_t pi, char c, size_t& length) {
  if (p[pi] == '?') {
    length = 1;
    return true;
  }
  if (p[pi] == '[') {
    if (size_t n = class_length(p, pi); n > 0) {
      length = n;
      return in_class(p.substr(pi, n), c);
    }
  }
  length = 1;
  return lower(p[pi]) == lower(c);
}

}  // namespace

bool glob_match(std::string_view p, std::string_view t) {
  // Iterative matching with one backtrack point (the last '*'): every other token takes
  // exactly one character, so this stays linear enough for ids, with no recursion depth.
  size_t pi = 0, ti = 0, star = std::string_view::npos, mark = 0;
  while (ti < t.size()) {
    size_t length = 1;
    if (pi < p.size() && p[pi] == '*') {
      star = pi++;
      while (pi < p.size() && p[pi] == '*') star = pi++;
      if (pi == p.size()) return true;  // a trailing '*' takes the rest: no need to walk it
      mark = ti;
    } else if (pi < p.size() && one(p, pi, t[ti], length)) {
      pi += length;
      ++ti;
    } else if (star != std::string_view::npos) {
      pi = star + 1;
      ti = ++mark;
    } else {
      return false;
    }
  }
  while (pi < p.size() && p[pi] == '*') ++pi;
  return pi == p.size();
}

std::optional<std::string> glob_problem(std::string_view pattern) {
  for (size_t i = 0; i < pattern.size(); ++i)
    if (pattern[i] == '[' && class_length(pattern, i) == 0)
      return "\"" + std::string(pattern) + "\" opens a character class with '[' and never closes it with ']'";
  if (pattern.empty()) return std::string("an empty pattern matches nothing but an empty id");
  return std::nullopt;
}

Result<ProviderRules> ProviderRules::load(const std::string& path) {
  auto text = core::read_text(path);
  if (!text) return std::unexpected(text.error());
  if (text->empty()) return std::unexpected(rules_error(path, "missing or empty"));
  return parse(*text, path);
}

Result<ProviderRules> ProviderRules::parse(const std::string& json, const std::string& source) {
  simdjson::dom::parser parser;
  simdjson::dom::object root;
  if (auto err = parser.parse(json).get(root); err)
    return std::unexpected(rules_error(source, std::string("not JSON (") + simdjson::error_message(err) + ")"));
  ProviderRules rules;
  for (auto [name, value] : root) {
    if (!name.empty() && name[0] == '_') continue;  // comments
    std::string where = source + ": " + std::string(name);
    Provider p;
    simdjson::dom::array list;
    if (value["rules"].get(list) != simdjson::SUCCESS)
      return std::unexpected(make_error(ErrorCode::config, where + " has no \"rules\" list"));
    for (element r : list) {
      Rule rule;
      simdjson::dom::array globs;
      std::string_view text;
      if (r["match"].get(globs) != simdjson::SUCCESS)
        return std::unexpected(make_error(ErrorCode::config, where + ": a rule without a \"match\" list"));
      for (element g : globs) {
        if (g.get(text) != simdjson::SUCCESS)
          return std::unexpected(make_error(ErrorCode::config, where + ": every \"match\" item must be a string"));
        if (auto problem = glob_problem(text)) return std::unexpected(make_error(ErrorCode::config, where + ": " + *problem));
        rule.globs.emplace_back(text);
      }
      if (r["category"].get(text) == simdjson::SUCCESS) {
        rule.category = parse_category(text);
        if (!rule.category)
          return std::unexpected(make_error(ErrorCode::config, where + ": unknown category \"" + std::string(text) + "\" (text or tts)"));
      } else if (r["skip"].get(text) == simdjson::SUCCESS) {
        rule.skip = text;
      } else {
        return std::unexpected(make_error(ErrorCode::config, where + ": a rule needs \"category\" or \"skip\""));
      }
      p.rules.push_back(std::move(rule));
    }
    std::string_view fallback;
    p.default_skip = value["default_skip"].get(fallback) == simdjson::SUCCESS ? std::string(fallback) : "no rule matches";
    element require;
    if (value["require"].get(require) == simdjson::SUCCESS) {
      element list_of;
      if (require["text"].get(list_of) == simdjson::SUCCESS) {
        auto checks = parse_checks(list_of, where + " require.text");
        if (!checks) return std::unexpected(checks.error());
        p.text_checks = std::move(*checks);
      }
      if (require["tts"].get(list_of) == simdjson::SUCCESS) {
        auto checks = parse_checks(list_of, where + " require.tts");
        if (!checks) return std::unexpected(checks.error());
        p.tts_checks = std::move(*checks);
      }
    }
    rules.providers_.emplace(std::string(name), std::move(p));
  }
  return rules;
}

Verdict ProviderRules::Provider::classify(std::string_view id) const {
  for (const auto& rule : rules)
    for (const auto& g : rule.globs)
      if (glob_match(g, id)) return Verdict{rule.category, rule.skip, true};
  return Verdict{std::nullopt, default_skip, false};
}

const ProviderRules::Provider* ProviderRules::find(const std::string& provider) const {
  auto it = providers_.find(provider);
  return it == providers_.end() ? nullptr : &it->second;
}

Verdict ProviderRules::classify(const std::string& provider, std::string_view id) const {
  const Provider* rules = find(provider);
  return rules ? rules->classify(id) : Verdict{std::nullopt, "no rules for " + provider, false};
}

const std::vector<FieldCheck>& ProviderRules::checks(const std::string& provider, ModelCategory category) const {
  static const std::vector<FieldCheck> kNone;
  const Provider* rules = find(provider);
  return rules ? rules->checks(category) : kNone;
}

}  // namespace airreg::providers

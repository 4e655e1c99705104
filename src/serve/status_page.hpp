// The operator's status page at GET /: one HTML document rendered by the server (no script,
// no external stylesheet or font, so it works on a closed network): each provider and
// category with its source, age, usable and pending counts and last sync outcome, the outbox,
// the fleet and the write-back's last error. Pure function of the registry's state.
#pragma once

#include <string>
#include <string_view>

#include "airreg/model_registry.hpp"

namespace airreg::serve {

std::string status_page_html(ModelRegistry& registry, const std::string& version);
std::string html_escape(std::string_view text);

}  // namespace airreg::serve

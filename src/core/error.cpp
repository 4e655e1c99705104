#include "airreg/error.hpp"

namespace airreg {

std::string_view to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::config: return "config";
    case ErrorCode::io: return "io";
    case ErrorCode::parse: return "parse";
    case ErrorCode::dns: return "dns";
    case ErrorCode::connection_refused: return "connection_refused";
    case ErrorCode::connection_reset: return "connection_reset";
    case ErrorCode::timeout: return "timeout";
    case ErrorCode::tls: return "tls";
    case ErrorCode::transport: return "transport";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::invalid_request: return "invalid_request";
    case ErrorCode::quota_exhausted: return "quota_exhausted";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::server_error: return "server_error";
    case ErrorCode::http_status: return "http_status";
    case ErrorCode::cancelled: return "cancelled";
  }
  return "unknown";
}

std::string Error::describe() const {
  if (http_status == 0 && type.empty()) return message;
  std::string out = message + " (";
  if (http_status != 0) out += "HTTP " + std::to_string(http_status);
  if (!type.empty()) out += (http_status != 0 ? " " : "") + type;
  return out + ")";
}

}  // namespace airreg

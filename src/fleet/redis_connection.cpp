#include "fleet/redis_connection.hpp"

#include <hiredis/hiredis.h>

namespace airreg::fleet {

namespace {

timeval to_timeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

Error unreachable(const RedisUrl& url, const std::string& why) {
  return make_error(ErrorCode::transport, "Redis at " + url.display + " cannot be reached: " + why, true);
}

Result<RedisReply> run(redisContext* c, const RedisUrl& url, const std::vector<std::string>& argv) {
  std::vector<const char*> args;
  std::vector<size_t> lengths;
  args.reserve(argv.size());
  lengths.reserve(argv.size());
  for (const auto& a : argv) {
    args.push_back(a.data());
    lengths.push_back(a.size());
  }
  void* raw = redisCommandArgv(c, static_cast<int>(args.size()), args.data(), lengths.data());
  if (!raw) return std::unexpected(unreachable(url, c->err ? c->errstr : "no reply"));
  RedisReply reply = take_reply(raw);
  if (reply.type == RedisReply::Type::error)
    return std::unexpected(make_error(ErrorCode::invalid_request, "Redis refused " + argv.front() + ": " + reply.str));
  return reply;
}

}  // namespace

void RedisContextDeleter::operator()(redisContext* c) const { redisFree(c); }

namespace {

// A copy of hiredis's reply tree; the tree itself is freed once, by its root.
RedisReply convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::integer;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::string;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::status;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::error;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::array;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(convert(r->element[i]));
      break;
    default:
      break;
  }
  return out;
}

}  // namespace

RedisReply take_reply(void* raw) {
  auto* r = static_cast<redisReply*>(raw);
  RedisReply out = convert(r);
  freeReplyObject(r);
  return out;
}

Result<RedisContextPtr> redis_connect(const RedisUrl& url, const RedisTimeouts& timeouts) {
  redisContext* raw = url.socket_path.empty()
                          ? redisConnectWithTimeout(url.host.c_str(), url.port, to_timeval(timeouts.connect))
                          : redisConnectUnixWithTimeout(url.socket_path.c_str(), to_timeval(timeouts.connect));
  if (!raw) return std::unexpected(unreachable(url, "out of memory"));
  RedisContextPtr c(raw);
  if (c->err) return std::unexpected(unreachable(url, c->errstr));
  if (redisSetTimeout(c.get(), to_timeval(timeouts.command)) != REDIS_OK)
    return std::unexpected(unreachable(url, "cannot set the timeout"));
  if (!url.password.empty()) {
    std::vector<std::string> auth{"AUTH"};
    if (!url.user.empty()) auth.push_back(url.user);
    auth.push_back(url.password);
    if (auto r = run(c.get(), url, auth); !r) {
      // Never Redis's own words here: they could quote what was sent.
      return std::unexpected(make_error(ErrorCode::unauthorized, "Redis at " + url.display + " refused the password"));
    }
  }
  if (url.db != 0) {
    if (auto r = run(c.get(), url, {"SELECT", std::to_string(url.db)}); !r) return std::unexpected(r.error());
  }
  return c;
}

RedisConnection::RedisConnection(RedisUrl url, RedisTimeouts timeouts)
    : url_(std::move(url)), timeouts_(timeouts) {}

RedisConnection::~RedisConnection() = default;

void RedisConnection::retry_now() {
  std::lock_guard lock(mutex_);
  down_until_ = {};
}

Result<RedisReply> RedisConnection::command(const std::vector<std::string>& argv) {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  if (!context_) {
    if (now < down_until_) return std::unexpected(last_error_);
    auto made = redis_connect(url_, timeouts_);
    if (!made) {
      last_error_ = made.error();
      down_until_ = now + timeouts_.retry_after;
      return std::unexpected(last_error_);
    }
    context_ = std::move(*made);
  }
  auto reply = run(context_.get(), url_, argv);
  if (!reply && reply.error().code != ErrorCode::invalid_request) {
    // The socket is in an unknown state after an I/O error or a timeout: start over later.
    context_.reset();
    last_error_ = reply.error();
    down_until_ = now + timeouts_.retry_after;
  }
  return reply;
}

}  // namespace airreg::fleet

#include "fixture_server.hpp"

#include <fstream>
#include <sstream>
#include <stdexcept>

namespace airreg::test {

std::string provider_fixture(const std::string& relative_path) {
  std::ifstream in(std::string(AIRREG_PROVIDER_FIXTURES) + "/" + relative_path, std::ios::binary);
  if (!in) throw std::runtime_error("no fixture " + relative_path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string FixtureServer::Seen::param(const std::string& name) const {
  httplib::Params params;
  httplib::detail::parse_query_text(query, params);
  auto it = params.find(name);
  return it == params.end() ? "" : it->second;
}

FixtureServer::FixtureServer() {
  auto dispatch = [this](const httplib::Request& req, httplib::Response& res) { handle(req, res); };
  server_.Get(".*", dispatch);
  server_.Post(".*", dispatch);
  server_.set_keep_alive_max_count(1000);
  port_ = server_.bind_to_any_port("127.0.0.1");
  if (port_ <= 0) throw std::runtime_error("fixture server: cannot bind");
  thread_ = std::thread([this] { server_.listen_after_bind(); });
  while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

FixtureServer::~FixtureServer() {
  server_.stop();
  thread_.join();
}

void FixtureServer::on(const std::string& method, const std::string& path, Handler handler) {
  std::lock_guard lock(mutex_);
  handlers_[{method, path}] = std::move(handler);
}

void FixtureServer::reply(const std::string& method, const std::string& path, Reply reply) {
  on(method, path, [reply](const Seen&) { return reply; });
}

std::vector<FixtureServer::Seen> FixtureServer::seen() const {
  std::lock_guard lock(mutex_);
  return seen_;
}

void FixtureServer::handle(const httplib::Request& request, httplib::Response& response) {
  Seen seen{request.method, request.path, "", request.headers};
  for (const auto& [k, v] : request.params) seen.query += (seen.query.empty() ? "" : "&") + k + "=" + httplib::detail::encode_query_param(v);
  Handler handler;
  {
    std::lock_guard lock(mutex_);
    seen_.push_back(seen);
    auto it = handlers_.find({request.method, request.path});
    if (it != handlers_.end()) handler = it->second;
  }
  if (!handler) {
    response.status = 404;
    response.set_content(R"({"error":{"message":"no such route in the fixture server"}})", "application/json");
    return;
  }
  Reply r = handler(seen);
  response.status = r.status;
  for (const auto& [name, value] : r.headers) response.set_header(name, value);
  response.set_content(r.body, "application/json");
}

}  // namespace airreg::test

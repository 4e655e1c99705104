// The libcurl HttpTransport. Easy handles are pooled (a handle keeps its connections alive
// between calls) and share the DNS cache and TLS sessions through a CURLSH. The connection
// cache is not shared: libcurl documents that a shared connection cache must not be used by
// concurrent threads, so each handle keeps its own (one connection per host per handle).
#include <curl/curl.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <mutex>
#include <vector>

#include "airreg/http_transport.hpp"
#include "airreg/version.hpp"
#include "http/body_buffer.hpp"
#include "http/url.hpp"

namespace airreg {

namespace {

struct CurlGlobal {
  CurlGlobal() { curl_global_init(CURL_GLOBAL_DEFAULT); }
};

class CurlShare {
 public:
  CurlShare() : share_(curl_share_init()) {
    curl_share_setopt(share_, CURLSHOPT_LOCKFUNC, &CurlShare::lock);
    curl_share_setopt(share_, CURLSHOPT_UNLOCKFUNC, &CurlShare::unlock);
    curl_share_setopt(share_, CURLSHOPT_USERDATA, this);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(share_, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
  }
  ~CurlShare() { curl_share_cleanup(share_); }
  CURLSH* get() const { return share_; }

 private:
  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* self) {
    static_cast<CurlShare*>(self)->mutexes_[static_cast<size_t>(data) % kLocks].lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* self) {
    static_cast<CurlShare*>(self)->mutexes_[static_cast<size_t>(data) % kLocks].unlock();
  }
  static constexpr size_t kLocks = 16;
  CURLSH* share_;
  std::array<std::mutex, kLocks> mutexes_;
};

// Aborts the transfer once the request's stop token is set (curl then answers
// CURLE_ABORTED_BY_CALLBACK), so that a shutting-down process does not wait for a timeout.
int on_progress(void* stop, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  return static_cast<const std::stop_token*>(stop)->stop_requested() ? 1 : 0;
}

size_t on_body(char* data, size_t size, size_t count, void* out) {
  size_t n = size * count;
  // No exception may cross libcurl's C frames: out of memory ends the transfer (curl reports
  // a write error) instead.
  try {
    http::append_to_body(*static_cast<std::string*>(out), data, n);
  } catch (const std::exception&) {
    return 0;
  }
  return n;
}

size_t on_header(char* data, size_t size, size_t count, void* out) {
  auto* headers = static_cast<HttpHeaders*>(out);
  std::string_view line(data, size * count);
  // A new status line (after a redirect or 100-continue) starts a new header block.
  if (line.rfind("HTTP/", 0) == 0) {
    headers->clear();
    return size * count;
  }
  auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
    while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
      value.remove_suffix(1);
    headers->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  }
  return size * count;
}

Error transport_error(CURLcode code, const char* detail, const std::string& url) {
  ErrorCode kind = ErrorCode::transport;
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_COULDNT_RESOLVE_PROXY: kind = ErrorCode::dns; break;
    case CURLE_COULDNT_CONNECT: kind = ErrorCode::connection_refused; break;
    case CURLE_OPERATION_TIMEDOUT: kind = ErrorCode::timeout; break;
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE: kind = ErrorCode::tls; break;
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE: kind = ErrorCode::connection_reset; break;
    default: break;
  }
  // Keys travel in headers; a URL's userinfo and query may still hold one (a proxy's password,
  // a ?key=): only scheme, host and path are named.
  std::string message = std::string(to_string(kind)) + " talking to " + http::redacted_url(url) + ": " +
                        (detail && *detail ? detail : curl_easy_strerror(code));
  // A certificate that fails today fails again in a second; the rest may be passing trouble.
  return make_error(kind, std::move(message), /*retryable=*/kind != ErrorCode::tls);
}

class CurlTransport final : public HttpTransport {
 public:
  explicit CurlTransport(TransportOptions options) : options_(std::move(options)) {
    static CurlGlobal global;
    if (options_.user_agent.empty()) options_.user_agent = std::string("airreg/") + kVersion;
    const char* no_proxy = std::getenv("NO_PROXY");
    if (!no_proxy) no_proxy = std::getenv("no_proxy");
    no_proxy_ = no_proxy ? no_proxy : "localhost,127.0.0.1,::1";
  }

  ~CurlTransport() override {
    for (CURL* h : idle_) curl_easy_cleanup(h);
  }

  Result<HttpResponse> send(const HttpRequest& request) override {
    CURL* h = take_handle();
    HttpResponse response;
    curl_slist* headers = nullptr;
    for (const auto& [name, value] : request.headers)
      headers = curl_slist_append(headers, (name + ": " + value).c_str());
    // libcurl would send "Expect: 100-continue" for large bodies; Airtable does not need it.
    headers = curl_slist_append(headers, "Expect:");
    char error_buffer[CURL_ERROR_SIZE] = {0};

    curl_easy_setopt(h, CURLOPT_URL, request.url.c_str());
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method == "GET") {
      curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (!request.body.empty() || request.method != "DELETE") {
      // Always set both, so curl never falls back to reading a body from elsewhere.
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &response.body);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, &response.headers);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer);
    if (request.stop.stop_possible()) {
      curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
      curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, &on_progress);
      curl_easy_setopt(h, CURLOPT_XFERINFODATA, &request.stop);
    }
    CURLcode code = curl_easy_perform(h);
    long status = 0;
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    give_back(h);
    curl_slist_free_all(headers);
    if (code == CURLE_ABORTED_BY_CALLBACK)
      return std::unexpected(make_error(ErrorCode::cancelled, "stopped while talking to " + http::redacted_url(request.url)));
    if (code != CURLE_OK) return std::unexpected(transport_error(code, error_buffer, request.url));
    response.status = static_cast<int>(status);
    return response;
  }

 private:
  // A pooled handle keeps its live connection; its options are set afresh for every call.
  CURL* take_handle() {
    CURL* h = nullptr;
    {
      std::lock_guard lock(mutex_);
      if (!idle_.empty()) {
        h = idle_.back();
        idle_.pop_back();
      }
    }
    if (!h) h = curl_easy_init();
    curl_easy_setopt(h, CURLOPT_SHARE, share_.get());
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options_.connect_timeout.count()));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.total_timeout.count()));
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!options_.ca_bundle.empty()) curl_easy_setopt(h, CURLOPT_CAINFO, options_.ca_bundle.c_str());
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "gzip");
    curl_easy_setopt(h, CURLOPT_USERAGENT, options_.user_agent.c_str());
    curl_easy_setopt(h, CURLOPT_NOPROXY, no_proxy_.c_str());
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    // Only the web: a base URL set to file:// or gopher:// must not read or send anything else.
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    return h;
  }

  void give_back(CURL* h) {
    // Reset drops every option of the last call (bodies, headers) but keeps the connection.
    curl_easy_reset(h);
    std::lock_guard lock(mutex_);
    idle_.push_back(h);
  }

  TransportOptions options_;
  std::string no_proxy_;
  CurlShare share_;
  std::mutex mutex_;
  std::vector<CURL*> idle_;
};

}  // namespace

std::shared_ptr<HttpTransport> make_curl_transport(TransportOptions options) {
  return std::make_shared<CurlTransport>(std::move(options));
}

}  // namespace airreg

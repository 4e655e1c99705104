// Writes N registry rows to the base named by the AIRTABLE_* variables through BatchWriter
// (fresh outbox, process-wide limiter at AIRREG_MAX_RPS or 5/s) and prints one JSON line:
// rows, seconds, requests, retries, 429s as the writer counted them. For scripts/bench.sh.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "airreg/batch_writer.hpp"

int main(int argc, char** argv) {
  using namespace airreg;
  int rows = argc > 1 ? std::atoi(argv[1]) : 1000;
  AirtableConfig config = AirtableConfig::from_environment();
  if (const char* rps = std::getenv("AIRREG_MAX_RPS")) config.max_requests_per_second = std::atof(rps);
  if (config.token.empty() || config.base_id.empty() || rows <= 0) {
    std::fprintf(stderr, "usage: AIRTABLE_API_KEY=.. AIRTABLE_BASE_ID=.. AIRTABLE_ENDPOINT_URL=.. bench_batch_writer [rows]\n");
    return 2;
  }
  std::string pattern = (std::filesystem::temp_directory_path() / "airreg-bench-XXXXXX").string();
  std::filesystem::path state = ::mkdtemp(pattern.data());

  std::vector<Fields> fields;
  for (int i = 0; i < rows; ++i) {
    std::string id = "bench-model-" + std::to_string(i);
    fields.push_back({{"Model Key", "bench/" + id}, {"Provider ID", std::string("bench")}, {"Model ID", id},
                      {"Model Name", "Bench model " + std::to_string(i)}, {"Max Tokens", 8192.0}, {"Available", true}});
  }
  BatchWriterOptions options;
  options.table = config.table;
  options.merge_on = {"Provider ID", "Model ID"};
  BatchWriter writer(AirtableClient(config, make_curl_transport()), std::make_shared<Outbox>(state), options);
  auto start = std::chrono::steady_clock::now();
  WriteReport report = writer.write(fields, {});
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::filesystem::remove_all(state);
  std::printf(R"({"rows":%zu,"seconds":%.3f,"requests":%zu,"retries":%zu,"rate_limited":%zu,"complete":%s})" "\n",
              report.written, seconds, report.requests, report.retries, report.rate_limited,
              report.complete() ? "true" : "false");
  return report.complete() ? 0 : 1;
}

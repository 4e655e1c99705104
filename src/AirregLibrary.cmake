# The airreg library (what a C++ server links) and the airreg command.
configure_file(${PROJECT_SOURCE_DIR}/include/airreg/version.hpp.in
               ${PROJECT_BINARY_DIR}/generated/airreg/version.hpp @ONLY)

add_library(airreg STATIC
  core/error.cpp core/clock.cpp core/durable_file.cpp core/time_text.cpp core/sqlite_db.cpp core/task_pool.cpp core/duration_text.cpp core/heap_trim.cpp core/huge_pages.cpp
  http/http_response.cpp http/curl_transport.cpp http/body_buffer.cpp http/url.cpp
  json/fields_json.cpp
  airtable/formula.cpp airtable/airtable_types.cpp airtable/airtable_errors.cpp
  airtable/records_json.cpp airtable/airtable_client.cpp airtable/schema.cpp airtable/setup.cpp
  airtable/rate_limiter.cpp airtable/row_diff.cpp airtable/outbox.cpp airtable/batch_writer.cpp airtable/batch_flush.cpp airtable/batch_flush_recheck.cpp airtable/batch_flush_refusals.cpp
  airtable/pending_rows.cpp airtable/write_refusals.cpp airtable/columns.cpp airtable/webhooks_json.cpp
  airtable/airtable_webhooks.cpp
  providers/provider_rules.cpp providers/curated_models.cpp providers/json_listing.cpp providers/listing_pieces.cpp
  providers/listing_builder.cpp providers/provider_http.cpp providers/provider_catalog.cpp
  providers/openai_style.cpp providers/xai.cpp providers/anthropic.cpp providers/google.cpp
  providers/openrouter.cpp providers/ollama.cpp providers/tts_voices.cpp providers/discovery.cpp
  registry/model_status.cpp registry/row_codec.cpp registry/seeded_cells.cpp registry/merge.cpp registry/resolve.cpp registry/sync.cpp
  registry/table_snapshot.cpp registry/record_store.cpp registry/table_reader.cpp registry/snapshot_store.cpp registry/provider_refresh.cpp
  fleet/redis_url.cpp fleet/redis_connection.cpp fleet/redis_core.cpp fleet/redis_budget.cpp fleet/notice_codec.cpp
  fleet/local_fleet.cpp fleet/redis_fleet.cpp fleet/redis_snapshot.cpp
  registry/history_rows.cpp registry/write_back.cpp registry/snapshot_codec.cpp registry/table_source.cpp
  registry/table_binding.cpp registry/registry_settings.cpp registry/call_budget.cpp registry/snapshot_changes.cpp
  registry/model_registry.cpp registry/registry_cache.cpp registry/registry_load.cpp registry/answer_views.cpp
  registry/expiry_watch.cpp
)
# GCC 12 at -O2 warns "may be used uninitialized" inside simdjson's On-Demand types held in
# std::optional (a known false positive); the values are only read when engaged.
set_source_files_properties(
  providers/json_listing.cpp providers/listing_pieces.cpp providers/anthropic.cpp providers/google.cpp providers/ollama.cpp
  providers/openai_style.cpp providers/openrouter.cpp providers/xai.cpp providers/tts_voices.cpp
  PROPERTIES COMPILE_OPTIONS "$<$<CXX_COMPILER_ID:GNU>:-Wno-maybe-uninitialized>")
include(GNUInstallDirs)
target_compile_definitions(airreg PRIVATE
  AIRREG_SOURCE_SCHEMA_DIR="${PROJECT_SOURCE_DIR}/schema"
  AIRREG_INSTALLED_SCHEMA_DIR="${CMAKE_INSTALL_FULL_DATADIR}/airreg/schema")
add_library(airreg::airreg ALIAS airreg)
target_include_directories(airreg
  PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>
    $<INSTALL_INTERFACE:include>
  PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_link_libraries(airreg
  PUBLIC Threads::Threads spdlog::spdlog
  PRIVATE simdjson::simdjson fmt::fmt CURL::libcurl SQLite::SQLite3 PkgConfig::HIREDIS)
# simdjson's classes differ with and without SIMDJSON_THREADS_ENABLED, and its CMake target
# compiles us with it: a program that includes simdjson.h itself must see the same define,
# or the two layouts meet in one binary (it crashed at exit). Exported with the library.
target_compile_definitions(airreg PUBLIC SIMDJSON_THREADS_ENABLED=1)
set_target_properties(airreg PROPERTIES POSITION_INDEPENDENT_CODE ON EXPORT_NAME airreg)
airreg_warnings(airreg)
airreg_pch(airreg <spdlog/logger.h> <simdjson.h>)

# serve: the HTTP face over ModelRegistry (cpp-httplib), a sibling of the CLI; a library of
# its own so that tests and the fuzzer drive its router without a socket.
add_library(airreg_serve STATIC
  serve/http_message.cpp serve/json_answers.cpp serve/metrics.cpp serve/status_page.cpp serve/router.cpp
  serve/connection_stream.cpp serve/http_server.cpp serve/sync_scheduler.cpp serve/webhook_mac.cpp
  serve/webhook_store.cpp serve/webhook_manager.cpp)
target_link_libraries(airreg_serve PUBLIC airreg PRIVATE simdjson::simdjson PkgConfig::HTTPLIB OpenSSL::Crypto SQLite::SQLite3)
target_include_directories(airreg_serve PUBLIC ${CMAKE_CURRENT_SOURCE_DIR})
airreg_warnings(airreg_serve)

add_executable(airreg_cli
  cli/main.cpp cli/app.cpp cli/airtable_options.cpp cli/human_text.cpp cli/progress_display.cpp
  cli/setup_command.cpp cli/outbox_commands.cpp cli/discover_command.cpp cli/sync_command.cpp
  cli/registry_commands.cpp cli/registry_options.cpp cli/history_command.cpp cli/serve_command.cpp
  cli/webhook_command.cpp)
set_target_properties(airreg_cli PROPERTIES OUTPUT_NAME airreg)
target_link_libraries(airreg_cli PRIVATE airreg airreg_serve cxxopts::cxxopts spdlog::spdlog fmt::fmt)
target_include_directories(airreg_cli PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
airreg_warnings(airreg_cli)
airreg_pch(airreg_cli <spdlog/logger.h> <cxxopts.hpp>)

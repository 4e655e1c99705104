# Every dependency comes from Debian's packages (scripts/install-deps.sh).
find_package(Threads REQUIRED)
find_package(simdjson REQUIRED)
find_package(RapidJSON REQUIRED)
find_package(cxxopts REQUIRED)
find_package(fmt REQUIRED)
find_package(spdlog REQUIRED)
find_package(CURL REQUIRED)
find_package(PkgConfig REQUIRED)
# Debian ships cpp-httplib as a compiled library described by pkg-config only.
pkg_check_modules(HTTPLIB REQUIRED IMPORTED_TARGET cpp-httplib)

# RapidJSON's Debian config sets only a variable; give it a target like the others.
if(NOT TARGET airreg_rapidjson)
  add_library(airreg_rapidjson INTERFACE)
  target_include_directories(airreg_rapidjson SYSTEM INTERFACE ${RAPIDJSON_INCLUDE_DIRS})
endif()

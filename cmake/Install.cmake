# Installs the library, its public headers and a package config, so that another project
# can use find_package(airreg) and link airreg::airreg.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(TARGETS airreg EXPORT airregTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS airreg_cli airtable-local RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/airreg DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(FILES ${PROJECT_BINARY_DIR}/generated/airreg/version.hpp DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/airreg)
install(DIRECTORY schema/ DESTINATION ${CMAKE_INSTALL_DATADIR}/airreg/schema)
install(EXPORT airregTargets NAMESPACE airreg:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airreg)

configure_package_config_file(cmake/airregConfig.cmake.in
  ${PROJECT_BINARY_DIR}/airregConfig.cmake
  INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airreg)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/airregConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/airregConfig.cmake ${PROJECT_BINARY_DIR}/airregConfigVersion.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/airreg)

# Finds libjxl and its thread pool through pkg-config (Debian: libjxl-dev).
# Defines JXL::jxl and JXL::threads.
find_package(PkgConfig REQUIRED)
pkg_check_modules(JXL_PC REQUIRED IMPORTED_TARGET libjxl>=0.7)
pkg_check_modules(JXL_THREADS_PC REQUIRED IMPORTED_TARGET libjxl_threads>=0.7)
if(NOT TARGET JXL::jxl)
  add_library(JXL::jxl ALIAS PkgConfig::JXL_PC)
  add_library(JXL::threads ALIAS PkgConfig::JXL_THREADS_PC)
endif()
set(JXL_VERSION ${JXL_PC_VERSION})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(JXL REQUIRED_VARS JXL_PC_LIBRARIES VERSION_VAR JXL_VERSION)

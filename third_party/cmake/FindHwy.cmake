# Finds Google Highway, the SIMD library with run-time dispatch, through
# pkg-config (Debian: libhwy-dev; 1.0.3 in Debian 12, 1.2 in Debian 13).
# Defines Hwy::hwy.
find_package(PkgConfig REQUIRED)
pkg_check_modules(HWY_PC REQUIRED IMPORTED_TARGET libhwy>=1.0.3)
if(NOT TARGET Hwy::hwy)
  add_library(Hwy::hwy ALIAS PkgConfig::HWY_PC)
endif()
set(Hwy_VERSION ${HWY_PC_VERSION})
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(Hwy REQUIRED_VARS HWY_PC_LIBRARIES VERSION_VAR Hwy_VERSION)

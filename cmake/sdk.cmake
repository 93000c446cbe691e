# The native SDK: libattention_jxl.so (the C ABI and the public C++ API), the
# attention-jxl-native tool, and what `cmake --install` puts in a prefix:
# headers, the library with the LiteRT library beside it, the prepared model,
# attention_jxlConfig.cmake (target attention_jxl::attention_jxl) and
# attention_jxl.pc.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

add_library(attention_jxl SHARED csrc/capi/attention_jxl.cc)
target_link_libraries(attention_jxl PRIVATE attention_jxl_core)
target_compile_definitions(attention_jxl PRIVATE ATTENTION_JXL_BUILDING)
target_include_directories(attention_jxl PUBLIC
  $<BUILD_INTERFACE:${CMAKE_CURRENT_SOURCE_DIR}/csrc/include>
  $<BUILD_INTERFACE:${CMAKE_CURRENT_BINARY_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
set(abi_version "${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR}")
set(symbol_map "${CMAKE_CURRENT_BINARY_DIR}/attention_jxl.map")
configure_file(csrc/capi/attention_jxl.map.in "${symbol_map}" @ONLY)
set_target_properties(attention_jxl PROPERTIES
  VERSION ${PROJECT_VERSION} SOVERSION ${abi_version}
  CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON
  LINK_DEPENDS "${symbol_map}"
  INSTALL_RPATH "$ORIGIN")  # libLiteRt.so is installed beside it
target_link_options(attention_jxl PRIVATE "LINKER:--version-script=${symbol_map}")
if(NOT ATTENTION_JXL_FUZZ)  # coverage hooks resolve in the fuzzer executable
  target_link_options(attention_jxl PRIVATE "LINKER:--no-undefined")
endif()

# Pipelines without Python: encode, center and reorder files.
add_executable(attention-jxl-native csrc/cli/main.cc csrc/cli/commands.cc csrc/cli/files.cc)
target_include_directories(attention-jxl-native PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/csrc)
target_link_libraries(attention-jxl-native PRIVATE attention_jxl)
target_compile_options(attention-jxl-native PRIVATE -Wall -Wextra)
set_target_properties(attention-jxl-native PROPERTIES
  INSTALL_RPATH "$ORIGIN/../${CMAKE_INSTALL_LIBDIR}")

if(ATTENTION_JXL_FUZZ)
  # libFuzzer over the C ABI's decode and reorder (fuzz/run.sh builds it).
  # Linked with the objects, so the whole core is in one instrumented binary.
  add_executable(fuzz_capi fuzz/capi_fuzzer.cc csrc/capi/attention_jxl.cc)
  target_link_libraries(fuzz_capi PRIVATE attention_jxl_core)
  target_link_options(fuzz_capi PRIVATE -fsanitize=fuzzer)
endif()

install(TARGETS attention_jxl attention-jxl-native EXPORT attention_jxlTargets
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
        INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY csrc/include/attention_jxl DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}
        FILES_MATCHING PATTERN "*.h" PATTERN "*.hpp")
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/include/attention_jxl/version.h"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/attention_jxl)
# The LiteRT C API library we were built against, so nothing else is needed.
install(FILES "${LITERT_LIBRARY}" DESTINATION ${CMAKE_INSTALL_LIBDIR})

set(config_dir ${CMAKE_INSTALL_LIBDIR}/cmake/attention_jxl)
install(EXPORT attention_jxlTargets NAMESPACE attention_jxl:: DESTINATION ${config_dir})
configure_package_config_file(cmake/attention_jxlConfig.cmake.in
  "${CMAKE_CURRENT_BINARY_DIR}/attention_jxlConfig.cmake" INSTALL_DESTINATION ${config_dir})
write_basic_package_version_file("${CMAKE_CURRENT_BINARY_DIR}/attention_jxlConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/attention_jxlConfig.cmake"
              "${CMAKE_CURRENT_BINARY_DIR}/attention_jxlConfigVersion.cmake"
        DESTINATION ${config_dir})
configure_file(cmake/attention_jxl.pc.in "${CMAKE_CURRENT_BINARY_DIR}/attention_jxl.pc" @ONLY)
install(FILES "${CMAKE_CURRENT_BINARY_DIR}/attention_jxl.pc"
        DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig)

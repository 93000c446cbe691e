# Finds libLiteRt.so, the LiteRT 2.x C API shipped inside the PyPI
# wheel ai-edge-litert. Set LITERT_LIBRARY to point at it directly; otherwise
# the ai_edge_litert package importable by Python_EXECUTABLE is used.
# Defines LiteRt::LiteRt (our own declarations live in third_party/litert).
if(NOT LITERT_LIBRARY)
  find_package(Python COMPONENTS Interpreter REQUIRED)
  execute_process(
    COMMAND "${Python_EXECUTABLE}" -c
      "import importlib.util as u; s = u.find_spec('ai_edge_litert'); print(s.submodule_search_locations[0] if s else '')"
    OUTPUT_VARIABLE LITERT_PACKAGE_DIR OUTPUT_STRIP_TRAILING_WHITESPACE)
  find_library(LITERT_LIBRARY NAMES LiteRt
               HINTS "${LITERT_PACKAGE_DIR}" NO_DEFAULT_PATH)
endif()
include(FindPackageHandleStandardArgs)
find_package_handle_standard_args(LiteRt
  REQUIRED_VARS LITERT_LIBRARY
  REASON_FAILURE_MESSAGE "install the wheel: pip install 'ai-edge-litert>=2.3,<2.4'")
if(LiteRt_FOUND AND NOT TARGET LiteRt::LiteRt)
  get_filename_component(LITERT_LIBRARY_DIR "${LITERT_LIBRARY}" DIRECTORY)
  add_library(LiteRt::LiteRt SHARED IMPORTED)
  set_target_properties(LiteRt::LiteRt PROPERTIES
    IMPORTED_LOCATION "${LITERT_LIBRARY}"
    IMPORTED_NO_SONAME FALSE
    INTERFACE_INCLUDE_DIRECTORIES "${CMAKE_CURRENT_LIST_DIR}/..")
endif()

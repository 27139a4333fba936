# Warnings are errors on our own code; generated code (ANTLR, protobuf) is compiled without them.
# GCC 12 at -O3 reports -Wrestrict inside libstdc++'s own std::string code (GCC bug 105329), so that
# one diagnostic is not an error there; every other compiler and version keeps it.
function(ynet_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror
    $<$<AND:$<COMPILE_LANG_AND_ID:CXX,GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>)
endfunction()

# Adds every subdirectory of the current source dir that has its own CMakeLists.txt, so that
# components can be added without editing a shared list.
function(ynet_add_component_dirs)
  file(GLOB children RELATIVE ${CMAKE_CURRENT_SOURCE_DIR} CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*)
  list(SORT children)
  foreach(child ${children})
    if(IS_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}/${child} AND EXISTS ${CMAKE_CURRENT_SOURCE_DIR}/${child}/CMakeLists.txt)
      add_subdirectory(${child})
    endif()
  endforeach()
endfunction()

# ynet_add_test(NAME SOURCES a.cpp b.cpp LIBS lib1 lib2 [LABELS l])
# A doctest executable registered with CTest; the test's working directory is the source root so
# tests can read specs/ and tests/data/.
function(ynet_add_test name)
  cmake_parse_arguments(T "" "" "SOURCES;LIBS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ynet_doctest_main ${T_LIBS})
  ynet_warnings(${name})
  target_compile_definitions(${name} PRIVATE
    YNET_SOURCE_DIR="${PROJECT_SOURCE_DIR}" YNET_BINARY_DIR="${PROJECT_BINARY_DIR}")
  add_test(NAME ${name} COMMAND ${name} WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
  if(T_LABELS)
    set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}")
  endif()
endfunction()

# Components call this so that the `ynet` command links their library.
function(ynet_cli_link lib)
  set_property(GLOBAL APPEND PROPERTY YNET_CLI_LIBS ${lib})
endfunction()

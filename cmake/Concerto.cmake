# Build helpers shared by every folder.

# Warnings for the project's own code (not for generated protobuf code).
function(concerto_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-unused-parameter)
  if(CONCERTO_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# concerto_library(NAME SOURCES ... DEPS ...): a static library of project code.
function(concerto_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  concerto_warnings(${name})
endfunction()

# concerto_binary(NAME SOURCES ... DEPS ...): an executable of project code.
function(concerto_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS})
  concerto_warnings(${name})
endfunction()

# concerto_test(NAME SOURCES ... DEPS ... LABELS ... [TIMEOUT s]): a GoogleTest binary, one
# CTest entry per binary so a fixture (redis-server, broker) starts once per binary.
function(concerto_test name)
  cmake_parse_arguments(ARG "" "TIMEOUT" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_include_directories(${name} PRIVATE ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  concerto_warnings(${name})
  add_test(NAME ${name} COMMAND ${name})
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" TIMEOUT ${ARG_TIMEOUT}
    ENVIRONMENT "CONCERTO_BIN_DIR=${PROJECT_BINARY_DIR}")
endfunction()

# concerto_proto_library(NAME PROTOS a.proto ...): a service's internal messages (stored state,
# command envelopes) that never leave the service, compiled next to the folder that owns them.
# Paths are relative to the current source folder; imports resolve against proto/ and the root.
function(concerto_proto_library name)
  cmake_parse_arguments(ARG "" "" "PROTOS" ${ARGN})
  set(gen "${CMAKE_CURRENT_BINARY_DIR}/gen_${name}")
  file(MAKE_DIRECTORY "${gen}")
  file(RELATIVE_PATH rel_dir "${PROJECT_SOURCE_DIR}" "${CMAKE_CURRENT_SOURCE_DIR}")
  set(srcs)
  foreach(proto ${ARG_PROTOS})
    string(REGEX REPLACE "\\.proto$" "" stem "${rel_dir}/${proto}")
    add_custom_command(
      OUTPUT "${gen}/${stem}.pb.cc" "${gen}/${stem}.pb.h"
      COMMAND protobuf::protoc --proto_path=${PROJECT_SOURCE_DIR}
              --proto_path=${PROJECT_SOURCE_DIR}/proto --cpp_out=${gen} ${rel_dir}/${proto}
      DEPENDS ${proto} protobuf::protoc
      WORKING_DIRECTORY ${PROJECT_SOURCE_DIR}
      COMMENT "protoc ${rel_dir}/${proto}")
    list(APPEND srcs "${gen}/${stem}.pb.cc")
  endforeach()
  add_library(${name} STATIC ${srcs})
  target_include_directories(${name} PUBLIC "${gen}")
  target_link_libraries(${name} PUBLIC concerto_proto)
endfunction()

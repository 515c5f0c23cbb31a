# Runs one libFuzzer binary briefly for CTest (see concerto_fuzz_target in CMakeLists.txt):
#   cmake -DFUZZER=bin -DCORPUS=dir -DDICT=file|"" -DWORK_ROOT=dir -DARTIFACTS=dir -DRUNS=n
#         -DMAX_TOTAL_TIME=s -P run_fuzz.cmake
# New inputs go to a fresh folder under WORK_ROOT, removed afterwards, so the seed corpus never
# changes; crashing inputs stay in ARTIFACTS.
string(RANDOM LENGTH 10 suffix)
set(work "${WORK_ROOT}/run-${suffix}")
file(REMOVE_RECURSE "${work}")
file(MAKE_DIRECTORY "${work}" "${ARTIFACTS}")

set(inputs "${work}")
if(EXISTS "${CORPUS}")
  list(APPEND inputs "${CORPUS}")
endif()
set(options -runs=${RUNS} -max_total_time=${MAX_TOTAL_TIME} -timeout=10 -rss_limit_mb=2048
            -print_final_stats=1 -artifact_prefix=${ARTIFACTS}/)
if(DICT)
  list(APPEND options -dict=${DICT})
endif()

execute_process(COMMAND "${FUZZER}" ${options} ${inputs} RESULT_VARIABLE result)
file(REMOVE_RECURSE "${work}")
if(NOT result EQUAL 0)
  message(FATAL_ERROR "${FUZZER} failed (${result}); the crashing input is in ${ARTIFACTS}/")
endif()

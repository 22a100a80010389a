# workbook_chapter(NN topic) adds one chapter:
#   chapterNN          the demo (chapters/NN_topic/main.cpp)
#   chapterNN_tests    tests/chapterNN_test.cpp linked with the student's
#                      exercise.cpp, or with the reference when WORKBOOK_SOLUTIONS
#   chapterNN_stub_tests  (WORKBOOK_STUB_CHECK only) the same test objects
#                      linked with the shipped stub
# and registers, for CTest:
#   chapterNN.build    a fixture that rebuilds the chapter before its tests,
#                      so `ctest -R chapterNN` never tests a stale binary
#   chapterNN.<case>   one test per doctest TEST_CASE, labelled chapterNN
#   chapterNN.demo     the demo against a freshly started stand-in
#   chapterNN.python   the chapter's Python program, the same way (when it has one)
#   chapterNN.stub.*   (WORKBOOK_STUB_CHECK) every TODO test must fail on the
#                      stub, and every TODO must have a test

# The sanitizer builds compile at -O1 with line tables only (-g1): what the
# sanitizers' reports need (functions, files, lines), at about half the
# compile time of -O2 -g (14.7 s against 27.1 s for one chapter's file under
# ASan), which is most of CI's time.
if(NOT WORKBOOK_SANITIZE STREQUAL "")
  add_compile_options(-O1 -g1)
endif()
if(WORKBOOK_SANITIZE STREQUAL "address")
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
elseif(WORKBOOK_SANITIZE STREQUAL "thread")
  # g++ 12 warns that atomic_thread_fence is not instrumented; Asio uses none
  # that matter here.
  add_compile_options(-fsanitize=thread -Wno-tsan)
  add_link_options(-fsanitize=thread)
elseif(NOT WORKBOOK_SANITIZE STREQUAL "")
  message(FATAL_ERROR "WORKBOOK_SANITIZE must be empty, 'address' or 'thread', not '${WORKBOOK_SANITIZE}'")
endif()

# The warnings every file of the workbook is clean under.
function(workbook_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic)
endfunction()

include("${CMAKE_CURRENT_LIST_DIR}/TestCases.cmake")

# The TEST_CASE names of a doctest file, read at configure time, so the tests
# are known to CTest before anything is built (the build fixture needs that).
# Each is also written to test-cases.txt in the build tree, as its CTest
# name, for the runner.
function(workbook_test_cases file out_var)
  set_property(DIRECTORY "${CMAKE_SOURCE_DIR}" APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${file}")
  workbook_read_test_cases("${file}" cases)
  set(${out_var} "${cases}" PARENT_SCOPE)
endfunction()

# Registers every case of `exe` (built from `spec`) as `prefix<case>`.
function(workbook_register_cases exe spec prefix label fixture)
  workbook_test_cases("${spec}" cases)
  foreach(name IN LISTS cases)
    file(APPEND "${CMAKE_BINARY_DIR}/test-cases.txt" "${prefix}${name}\n")
    add_test(NAME "${prefix}${name}" COMMAND ${exe} "--test-case=${name}")
    set_tests_properties("${prefix}${name}" PROPERTIES
      LABELS "${label}" TIMEOUT 60 FIXTURES_REQUIRED "${fixture}")
  endforeach()
  set(WORKBOOK_LAST_CASES "${cases}" PARENT_SCOPE)
endfunction()

# The paths and names every kind of chapter starts from, set in the caller:
# dir, spec, ch, and answer (the student's exercise.cpp, or the reference).
macro(workbook_chapter_paths nn topic)
  set(dir "${CMAKE_SOURCE_DIR}/chapters/${nn}_${topic}")
  set(spec "${CMAKE_SOURCE_DIR}/tests/chapter${nn}_test.cpp")
  set(ch "chapter${nn}")
  if(WORKBOOK_SOLUTIONS)
    set(answer "${CMAKE_SOURCE_DIR}/solutions/${nn}_${topic}/exercise.cpp")
  else()
    set(answer "${dir}/exercise.cpp")
  endif()
endmacro()

# chapterNN.build, the fixture that builds `targets` before the chapter's tests.
function(workbook_build_fixture ch)
  add_test(NAME ${ch}.build
    COMMAND "${CMAKE_COMMAND}" --build "${CMAKE_BINARY_DIR}" --target ${ARGN})
  set_tests_properties(${ch}.build PROPERTIES
    FIXTURES_SETUP ${ch}.build LABELS ${ch} RESOURCE_LOCK workbook_build TIMEOUT 600)
endfunction()

# chapterNN.stub.todos: every TODO of the stub has a test, and every test a TODO.
function(workbook_todo_check ch nn dir spec)
  add_test(NAME ${ch}.stub.todos
    COMMAND "${CMAKE_COMMAND}" -DSTUB=${dir}/exercise.cpp -DSPEC=${spec} -DNN=${nn}
            -P "${CMAKE_SOURCE_DIR}/cmake/CheckTodos.cmake")
  set_tests_properties(${ch}.stub.todos PROPERTIES LABELS ${ch})
endfunction()

# chapterNN.demo: the demo, run against a stand-in of its own, must print
# `expect`; chapterNN.python: the slide's Python program beside the C++
# (chapters/NN_topic/*.py), run the same way, skipped (77) where no Python 3
# has the module it needs. `services`: demo-test.sh's --services argument.
function(workbook_demo_tests ch dir expect services needs locks)
  add_test(NAME ${ch}.demo
    COMMAND bash "${CMAKE_SOURCE_DIR}/tests/support/demo-test.sh" ${services}
            $<TARGET_FILE:fake-github> "${expect}" $<TARGET_FILE:${ch}>)
  set_tests_properties(${ch}.demo PROPERTIES
    LABELS ${ch} TIMEOUT 120 FIXTURES_REQUIRED "${needs}" RESOURCE_LOCK "${locks}")
  file(GLOB python_programs CONFIGURE_DEPENDS "${dir}/*.py")
  if(python_programs)
    list(GET python_programs 0 python_program)
    add_test(NAME ${ch}.python
      COMMAND bash "${CMAKE_SOURCE_DIR}/tests/support/demo-test.sh" --python ${services}
              $<TARGET_FILE:fake-github> "Execution time" "${python_program}")
    set_tests_properties(${ch}.python PROPERTIES
      LABELS ${ch} TIMEOUT 120 SKIP_RETURN_CODE 77 FIXTURES_REQUIRED "${needs}"
      RESOURCE_LOCK "${locks}")
  endif()
endfunction()

# chapterNN.stub.<case>: a test named "NN.n ..." checks TODO(NN.n), so on the
# shipped stub (`program`, run with `env`) it must fail; and chapterNN.stub.todos.
function(workbook_stub_tests ch nn dir spec cases program timeout env needs locks)
  foreach(name IN LISTS cases)
    if(name MATCHES "^${nn}\\.[0-9]+ ")
      add_test(NAME "${ch}.stub.${name}" COMMAND ${program} "--test-case=${name}")
      set_tests_properties("${ch}.stub.${name}" PROPERTIES
        LABELS "${ch}" TIMEOUT ${timeout} WILL_FAIL TRUE FIXTURES_REQUIRED "${needs}"
        RESOURCE_LOCK "${locks}")
      if(env)
        set_tests_properties("${ch}.stub.${name}" PROPERTIES ENVIRONMENT "${env}")
      endif()
    endif()
  endforeach()
  workbook_todo_check(${ch} ${nn} "${dir}" "${spec}")
endfunction()

# `out` = the targets of the wings named (show github -> workbook_show
# workbook_github); at least one, or the chapter would link nothing.
function(workbook_wing_targets out)
  if(NOT ARGN)
    message(FATAL_ERROR "a chapter names the library's wings it USES (shared/CMakeLists.txt)")
  endif()
  set(targets ${ARGN})
  list(REMOVE_DUPLICATES targets)
  list(TRANSFORM targets PREPEND workbook_)
  foreach(t IN LISTS targets)
    if(NOT TARGET ${t})
      message(FATAL_ERROR "${t}: no such wing of the library (shared/CMakeLists.txt)")
    endif()
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

function(workbook_chapter nn topic)
  # SUPPORT: sources of the chapter that are not the exercise (given code the
  # exercise builds on), linked into the demo and every test program.
  # SERVICES: the private servers its tests and demo talk to (redis,
  # memcached, postgres): they then require the `services` fixture
  # (tests/CMakeLists.txt), which starts them, and the demo runs with their
  # addresses in its environment.
  # USES: the library's wings the chapter's code uses (shared/CMakeLists.txt),
  # so it links only what they need; TESTS_USE: what its tests use besides.
  cmake_parse_arguments(ARG "" "DEMO_EXPECT" "LIBRARIES;SUPPORT;SERVICES;USES;TESTS_USE" ${ARGN})
  workbook_wing_targets(uses ${ARG_USES})
  workbook_wing_targets(tests_use ${ARG_USES} ${ARG_TESTS_USE})
  if(NOT ARG_DEMO_EXPECT)
    set(ARG_DEMO_EXPECT "Execution time")
  endif()
  workbook_chapter_paths(${nn} ${topic})

  # Each source is compiled once, as an object library, and its objects
  # linked wherever they are needed.
  list(TRANSFORM ARG_SUPPORT PREPEND "${dir}/")
  add_library(${ch}_answer OBJECT "${answer}" ${ARG_SUPPORT})
  target_include_directories(${ch}_answer PUBLIC "${dir}")
  target_link_libraries(${ch}_answer PUBLIC ${uses} ${ARG_LIBRARIES})
  workbook_warnings(${ch}_answer)

  # The demo runs whichever answer this build links: the reference in the
  # release build that ./workbook run uses, yours in the dev build.
  add_executable(${ch} "${dir}/main.cpp")
  target_link_libraries(${ch} PRIVATE ${ch}_answer)
  workbook_warnings(${ch})

  # The spec is compiled once; the same objects are linked with each answer.
  add_library(${ch}_spec OBJECT "${spec}")
  target_include_directories(${ch}_spec PUBLIC "${dir}" "${CMAKE_SOURCE_DIR}/tests")
  target_link_libraries(${ch}_spec PUBLIC ${tests_use} doctest::doctest ${ARG_LIBRARIES})
  # Tests that fork, or need thousands of sockets, run the stand-in as a
  # process of its own (TestStandIn::Process in tests/support/test_stand_in.hpp).
  target_compile_definitions(${ch}_spec PRIVATE WORKBOOK_FAKE_GITHUB="$<TARGET_FILE:fake-github>"
    WORKBOOK_CHAPTER_DEMO="$<TARGET_FILE:${ch}>"
    WORKBOOK_SERVICES_DIR="${WORKBOOK_SERVICES_DIR}")
  workbook_warnings(${ch}_spec)

  # What every test of the chapter requires: its build, and the servers.
  set(needs ${ch}.build)
  set(demo_services)
  set(locks)
  if(ARG_SERVICES)
    list(APPEND needs services)
    set(demo_services --services "${WORKBOOK_SERVICES_DIR}")
    # Tests that read what Redis counted (INFO) must not count each other's
    # commands: every test that talks to the fixture's Redis takes this lock.
    if(redis IN_LIST ARG_SERVICES)
      list(APPEND locks workbook_redis)
    endif()
    # The PostgreSQL chapters' tests and demos share one database and its
    # tables (speakers): one at a time.
    if(postgres IN_LIST ARG_SERVICES)
      list(APPEND locks workbook_postgres)
    endif()
  endif()

  add_executable(${ch}_tests $<TARGET_OBJECTS:${ch}_spec> $<TARGET_OBJECTS:${ch}_answer>)
  target_link_libraries(${ch}_tests PRIVATE ${tests_use} workbook_test_main ${ARG_LIBRARIES})
  set(build_targets ${ch} ${ch}_tests fake-github)

  if(WORKBOOK_STUB_CHECK)
    if(WORKBOOK_SOLUTIONS)
      add_library(${ch}_stub OBJECT "${dir}/exercise.cpp" ${ARG_SUPPORT})
      target_include_directories(${ch}_stub PUBLIC "${dir}")
      target_link_libraries(${ch}_stub PUBLIC ${uses} ${ARG_LIBRARIES})
      workbook_warnings(${ch}_stub)
      set(stub_objects $<TARGET_OBJECTS:${ch}_stub>)
    else()
      set(stub_objects $<TARGET_OBJECTS:${ch}_answer>)
    endif()
    add_executable(${ch}_stub_tests $<TARGET_OBJECTS:${ch}_spec> ${stub_objects})
    target_link_libraries(${ch}_stub_tests PRIVATE ${tests_use} workbook_test_main ${ARG_LIBRARIES})
    list(APPEND build_targets ${ch}_stub_tests)
  endif()

  workbook_build_fixture(${ch} ${build_targets})

  workbook_register_cases(${ch}_tests "${spec}" "${ch}." ${ch} "${needs}")
  set(cases "${WORKBOOK_LAST_CASES}")
  if(locks)
    foreach(name IN LISTS cases)
      set_tests_properties("${ch}.${name}" PROPERTIES RESOURCE_LOCK "${locks}")
    endforeach()
  endif()

  workbook_demo_tests(${ch} "${dir}" "${ARG_DEMO_EXPECT}" "${demo_services}" "${needs}" "${locks}")

  if(WORKBOOK_STUB_CHECK)
    workbook_stub_tests(${ch} ${nn} "${dir}" "${spec}" "${cases}" ${ch}_stub_tests 60 ""
      "${needs}" "${locks}")
  endif()
endfunction()

# workbook_testing_chapter(NN topic SUBJECT correct.cpp BROKEN a b ... SUPPORT ...)
# adds the chapter whose exercise is tests (chapter 15). The student's
# exercise.cpp holds TEST_CASEs; it is built once per implementation of the
# code under test, as a program of its own:
#   chapterNN_yours_correct     linked with SUBJECT (the code as it should be)
#   chapterNN_yours_<b>         linked with broken/<b>.cpp, for each of BROKEN
#   chapterNN_stub_yours_*      (WORKBOOK_STUB_CHECK with the solutions) the same
#                               with the shipped stub
# and tests/chapterNN_test.cpp, the spec, runs those programs: each of the
# student's tests must pass on the correct code and fail on the broken code it
# is there for. The spec finds them by the prefix in WORKBOOK_CH<NN>_PROGRAMS.
# The CTest names are those of workbook_chapter (build, cases, demo, stub.*).
function(workbook_testing_chapter nn topic)
  cmake_parse_arguments(ARG "" "SUBJECT;DEMO_EXPECT" "BROKEN;SUPPORT;PARTS;USES" ${ARGN})
  workbook_wing_targets(uses ${ARG_USES})
  workbook_chapter_paths(${nn} ${topic})

  # The given code every program links: the tools, and the parts shared by
  # the correct and the broken implementations.
  list(TRANSFORM ARG_SUPPORT PREPEND "${dir}/")
  list(TRANSFORM ARG_PARTS PREPEND "${dir}/")
  add_library(${ch}_given OBJECT ${ARG_SUPPORT} ${ARG_PARTS})
  target_include_directories(${ch}_given PUBLIC "${dir}")
  target_link_libraries(${ch}_given PUBLIC ${uses})
  workbook_warnings(${ch}_given)

  set(implementations correct ${ARG_BROKEN})
  add_library(${ch}_impl_correct OBJECT "${dir}/${ARG_SUBJECT}")
  foreach(b IN LISTS ARG_BROKEN)
    add_library(${ch}_impl_${b} OBJECT "${dir}/broken/${b}.cpp")
  endforeach()
  foreach(i IN LISTS implementations)
    target_link_libraries(${ch}_impl_${i} PUBLIC ${ch}_given)
    workbook_warnings(${ch}_impl_${i})
  endforeach()

  # The student's tests (or the reference's), once per implementation.
  set(flavours yours)
  add_library(${ch}_yours OBJECT "${answer}")
  if(WORKBOOK_STUB_CHECK AND WORKBOOK_SOLUTIONS)
    list(APPEND flavours stub_yours)
    add_library(${ch}_stub_yours OBJECT "${dir}/exercise.cpp")
  endif()
  set(programs)
  foreach(f IN LISTS flavours)
    target_link_libraries(${ch}_${f} PUBLIC ${ch}_given doctest::doctest)
    workbook_warnings(${ch}_${f})
    foreach(i IN LISTS implementations)
      add_executable(${ch}_${f}_${i} $<TARGET_OBJECTS:${ch}_${f}> $<TARGET_OBJECTS:${ch}_impl_${i}>)
      target_link_libraries(${ch}_${f}_${i} PRIVATE ${ch}_given workbook_test_main)
      list(APPEND programs ${ch}_${f}_${i})
    endforeach()
  endforeach()

  # The demo: the chapter's own examples, then the student's tests judged.
  add_executable(${ch} "${dir}/main.cpp" $<TARGET_OBJECTS:${ch}_impl_correct>)
  target_link_libraries(${ch} PRIVATE ${ch}_given)
  target_compile_definitions(${ch} PRIVATE
    WORKBOOK_CH${nn}_PROGRAMS="${CMAKE_BINARY_DIR}/${ch}_yours_")
  workbook_warnings(${ch})
  # The demo judges the tests of this build: building it builds them.
  foreach(i IN LISTS implementations)
    add_dependencies(${ch} ${ch}_yours_${i})
  endforeach()

  # The spec: it judges programs, so it links only the judge (in SUPPORT).
  add_executable(${ch}_tests "${spec}")
  target_include_directories(${ch}_tests PRIVATE "${dir}" "${CMAKE_SOURCE_DIR}/tests")
  target_link_libraries(${ch}_tests PRIVATE ${ch}_given workbook_test_main doctest::doctest)
  workbook_warnings(${ch}_tests)

  set(build_targets ${ch} ${ch}_tests ${programs} fake-github)
  workbook_build_fixture(${ch} ${build_targets})

  workbook_register_cases(${ch}_tests "${spec}" "${ch}." ${ch} ${ch}.build)
  set(cases "${WORKBOOK_LAST_CASES}")
  foreach(name IN LISTS cases)
    set_tests_properties("${ch}.${name}" PROPERTIES TIMEOUT 120
      ENVIRONMENT "WORKBOOK_CH${nn}_PROGRAMS=${CMAKE_BINARY_DIR}/${ch}_yours_")
  endforeach()

  workbook_demo_tests(${ch} "${dir}" "${ARG_DEMO_EXPECT}" "" ${ch}.build "")

  if(WORKBOOK_STUB_CHECK)
    if(WORKBOOK_SOLUTIONS)
      set(stub_prefix "${CMAKE_BINARY_DIR}/${ch}_stub_yours_")
    else()
      set(stub_prefix "${CMAKE_BINARY_DIR}/${ch}_yours_")
    endif()
    workbook_stub_tests(${ch} ${nn} "${dir}" "${spec}" "${cases}" ${ch}_tests 120
      "WORKBOOK_CH${nn}_PROGRAMS=${stub_prefix}" ${ch}.build "")
  endif()
endfunction()

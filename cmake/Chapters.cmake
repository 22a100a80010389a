# The chapters, from the one list of them: chapters/chapters.json. Each entry:
#   number, topic     "05", "event_loop": the folder chapters/05_event_loop/
#   title, slide      the chapter's title, and the talk's slide it mirrors
#   kind              "exercise" (workbook_chapter) or "testing" (chapter 15:
#                     workbook_testing_chapter, with subject, broken, parts)
#   uses, tests_use   the library's wings its code uses, and its tests besides
#   support           its sources beside exercise.cpp and main.cpp
#   services          the private servers it needs (redis, memcached, postgres)
#   demo_expect       a regular expression its demo's output must match (no
#                     ';', a CMake list's separator: '.' matches it)
#   python            the slide's program beside the C++, and the Python
#                     modules it needs (the test skips where they are absent)
#   fault_matrix      "api" and/or "service": the faults it is run against
#                     (tests/support/fault-matrix.sh); kill_at: the bytes its
#                     demo sends before its server is killed
#   plans             what it is in the half-day and the full-day plan
#                     (exercise, tour, demo, or null: not in that plan)
set(WORKBOOK_CHAPTERS_JSON "${CMAKE_SOURCE_DIR}/chapters/chapters.json")
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${WORKBOOK_CHAPTERS_JSON}")

# `out` = the JSON array `key` of `entry` as a CMake list (empty when absent).
function(workbook_json_list out entry key)
  set(items)
  string(JSON type ERROR_VARIABLE absent TYPE "${entry}" ${key})
  if(NOT absent AND type STREQUAL "ARRAY")
    string(JSON n LENGTH "${entry}" ${key})
    if(n GREATER 0)
      math(EXPR last "${n} - 1")
      foreach(i RANGE ${last})
        string(JSON item GET "${entry}" ${key} ${i})
        list(APPEND items "${item}")
      endforeach()
    endif()
  endif()
  set(${out} "${items}" PARENT_SCOPE)
endfunction()

# `out` = the string `key` of `entry` (empty when absent).
function(workbook_json_string out entry key)
  string(JSON value ERROR_VARIABLE absent GET "${entry}" ${key})
  if(absent)
    set(value "")
  endif()
  set(${out} "${value}" PARENT_SCOPE)
endfunction()

# Adds every chapter of the list, in its order.
function(workbook_chapters)
  file(READ "${WORKBOOK_CHAPTERS_JSON}" doc)
  string(JSON count LENGTH "${doc}" chapters)
  math(EXPR last "${count} - 1")
  set(numbers)
  foreach(i RANGE ${last})
    string(JSON entry GET "${doc}" chapters ${i})
    workbook_json_string(nn "${entry}" number)
    workbook_json_string(topic "${entry}" topic)
    workbook_json_string(kind "${entry}" kind)
    workbook_json_string(expect "${entry}" demo_expect)
    workbook_json_list(uses "${entry}" uses)
    workbook_json_list(support "${entry}" support)
    if(NOT IS_DIRECTORY "${CMAKE_SOURCE_DIR}/chapters/${nn}_${topic}")
      message(FATAL_ERROR "chapters/chapters.json: chapter ${nn} is chapters/${nn}_${topic}/, "
                          "which does not exist")
    endif()
    list(APPEND numbers ${nn})
    set(args USES ${uses})
    if(support)
      list(APPEND args SUPPORT ${support})
    endif()
    if(expect)
      list(APPEND args DEMO_EXPECT "${expect}")
    endif()
    if(kind STREQUAL "testing")
      workbook_json_string(subject "${entry}" subject)
      workbook_json_list(broken "${entry}" broken)
      workbook_json_list(parts "${entry}" parts)
      workbook_testing_chapter(${nn} ${topic} SUBJECT ${subject} BROKEN ${broken} PARTS ${parts}
        ${args})
    else()
      workbook_json_list(tests_use "${entry}" tests_use)
      workbook_json_list(services "${entry}" services)
      if(tests_use)
        list(APPEND args TESTS_USE ${tests_use})
      endif()
      if(services)
        list(APPEND args SERVICES ${services})
      endif()
      workbook_chapter(${nn} ${topic} ${args})
    endif()
  endforeach()
  set(WORKBOOK_CHAPTER_NUMBERS "${numbers}" PARENT_SCOPE)
endfunction()

# `out` = the numbers of the chapters the fault matrix runs (a fault_matrix field).
function(workbook_fault_matrix_chapters out)
  file(READ "${WORKBOOK_CHAPTERS_JSON}" doc)
  string(JSON count LENGTH "${doc}" chapters)
  math(EXPR last "${count} - 1")
  set(numbers)
  foreach(i RANGE ${last})
    string(JSON entry GET "${doc}" chapters ${i})
    string(JSON faults ERROR_VARIABLE absent GET "${entry}" fault_matrix faults)
    if(NOT absent)
      string(JSON nn GET "${entry}" number)
      list(APPEND numbers ${nn})
    endif()
  endforeach()
  set(${out} "${numbers}" PARENT_SCOPE)
endfunction()

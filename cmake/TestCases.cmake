# The one place that reads the names of a doctest file's TEST_CASEs: CMake
# registers one CTest test per name (Workbook.cmake), the stub check matches
# them to the TODOs (CheckTodos.cmake), and the runner counts the exercises
# from the list this writes beside the build (test-cases.txt).
#
# A name is the string literal inside TEST_CASE( ... ), which a formatter may
# put on the next line: the whole file is read, not line by line.
function(workbook_read_test_cases file out_var)
  file(READ "${file}" content)
  # A TEST_CASE counts at the start of a line only: not one in a comment.
  string(REGEX MATCHALL "\n[ \t]*TEST_CASE[ \t\r\n]*\\([ \t\r\n]*\"[^\"\n]*\"" found "\n${content}")
  set(cases "")
  foreach(match IN LISTS found)
    string(REGEX REPLACE ".*\\([ \t\r\n]*\"([^\"\n]*)\"$" "\\1" name "${match}")
    # doctest reads , * ? and \ in --test-case as filter syntax, and CMake
    # splits lists at ;, so a name with one would silently match nothing.
    if(name STREQUAL "" OR name MATCHES "[,;*?\\\\]")
      message(FATAL_ERROR "${file}: the test name \"${name}\" may not be empty or contain , ; * ? or \\")
    endif()
    list(APPEND cases "${name}")
  endforeach()
  set(${out_var} "${cases}" PARENT_SCOPE)
endfunction()

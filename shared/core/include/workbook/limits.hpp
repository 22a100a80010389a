// The open-file limit: every socket is a file descriptor, and a program that
// holds thousands of connections needs more than the usual soft limit of 1024.
#pragma once

namespace workbook {

// Raises this process's soft limit on open files as far as the hard limit
// allows, and returns the limit now in force.
long raise_open_file_limit();

}  // namespace workbook

# Finds every dependency among the system's packages. A missing one stops the
# configuration with the package that provides it and the command that
# installs everything: ./workbook setup.

function(workbook_missing what package)
  message(FATAL_ERROR
    "\n${what} was not found.\n"
    "It comes with the Debian/Ubuntu package '${package}'.\n"
    "Install every package the workbook needs with:  ./workbook setup\n"
    "(or by hand: sudo apt-get install --no-install-recommends ${package})\n")
endfunction()

find_package(Threads REQUIRED)

# Standalone Asio ships neither a CMake config nor a .pc file: a header path.
find_path(ASIO_INCLUDE_DIR asio.hpp)
if(NOT ASIO_INCLUDE_DIR)
  workbook_missing("Standalone Asio (asio.hpp)" libasio-dev)
endif()
file(STRINGS "${ASIO_INCLUDE_DIR}/asio/version.hpp" _asio_version_line REGEX "define ASIO_VERSION ")
string(REGEX MATCH "[0-9]+" _asio_version "${_asio_version_line}")
if(_asio_version LESS 102200)
  message(FATAL_ERROR "Asio ${_asio_version} is too old: the workbook needs Asio 1.22 or newer "
                      "(Debian 12, Ubuntu 24.04). Run ./workbook doctor for details.")
endif()
add_library(workbook_asio INTERFACE)
target_include_directories(workbook_asio SYSTEM INTERFACE "${ASIO_INCLUDE_DIR}")
# ASIO_SEPARATE_COMPILATION: Asio compiled once, in shared/core/src/asio_impl.cpp,
# instead of in every file.
# ASIO_DISABLE_STD_ALIGNED_ALLOC: Asio 1.22 decides between aligned_alloc and
# operator new from a libstdc++ macro that is only defined once some standard
# header has been included, so two files could disagree and memory allocated
# by one would be freed by the other the other way (AddressSanitizer reports
# alloc-dealloc-mismatch). One choice everywhere.
target_compile_definitions(workbook_asio INTERFACE
  ASIO_STANDALONE ASIO_SEPARATE_COMPILATION ASIO_NO_DEPRECATED ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(workbook_asio INTERFACE Threads::Threads)

find_package(OpenSSL QUIET)
if(NOT OpenSSL_FOUND)
  workbook_missing("OpenSSL (development files)" libssl-dev)
endif()

# zlib decodes the gzip bodies the asynchronous client asks for. Debian's
# libcpp-httplib-dev depends on zlib1g-dev (cpp-httplib decodes gzip with it).
find_package(ZLIB QUIET)
if(NOT ZLIB_FOUND)
  workbook_missing("zlib (development files)" zlib1g-dev)
endif()

find_package(nlohmann_json 3 QUIET)
if(NOT nlohmann_json_FOUND)
  workbook_missing("nlohmann/json" nlohmann-json3-dev)
endif()

find_package(doctest QUIET)
if(NOT doctest_FOUND)
  workbook_missing("doctest" doctest-dev)
endif()

find_package(PkgConfig QUIET)
if(NOT PkgConfig_FOUND)
  workbook_missing("pkg-config" pkg-config)
endif()
# cpp-httplib is a compiled library with only a pkg-config file. Its Cflags
# (CPPHTTPLIB_OPENSSL_SUPPORT, ...) must reach every file that includes
# httplib.h, or the classes get another layout than the library has.
pkg_check_modules(HTTPLIB QUIET IMPORTED_TARGET cpp-httplib)
if(NOT HTTPLIB_FOUND)
  workbook_missing("cpp-httplib" libcpp-httplib-dev)
endif()

# libpq, PostgreSQL's C client library (chapter 13), with its pkg-config file.
pkg_check_modules(LIBPQ QUIET IMPORTED_TARGET libpq>=14)
if(NOT LIBPQ_FOUND)
  workbook_missing("libpq 14 or later (pipeline mode)" libpq-dev)
endif()

# llhttp, the HTTP parser of Node.js (and of aiohttp), ships as C sources.
find_path(LLHTTP_INCLUDE_DIR llhttp.h PATHS /usr/share/include/llhttp /usr/include/llhttp /usr/include)
find_path(LLHTTP_SOURCE_DIR llhttp.c PATHS /usr/share/llhttp)
if(NOT LLHTTP_INCLUDE_DIR OR NOT LLHTTP_SOURCE_DIR)
  workbook_missing("llhttp (C sources)" node-llhttp)
endif()
add_library(workbook_llhttp STATIC
  "${LLHTTP_SOURCE_DIR}/llhttp.c" "${LLHTTP_SOURCE_DIR}/api.c" "${LLHTTP_SOURCE_DIR}/http.c")
target_include_directories(workbook_llhttp SYSTEM PUBLIC "${LLHTTP_INCLUDE_DIR}")
set_target_properties(workbook_llhttp PROPERTIES POSITION_INDEPENDENT_CODE ON C_STANDARD 99)
target_compile_options(workbook_llhttp PRIVATE -w)

find_program(OPENSSL_EXECUTABLE openssl)
if(NOT OPENSSL_EXECUTABLE)
  workbook_missing("The openssl command" openssl)
endif()

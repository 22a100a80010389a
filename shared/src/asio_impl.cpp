// Asio's and Asio SSL's compiled parts, built once for the whole workbook
// (ASIO_SEPARATE_COMPILATION) instead of in every file that includes Asio.
#include <asio/impl/src.hpp>
#include <asio/ssl/impl/src.hpp>

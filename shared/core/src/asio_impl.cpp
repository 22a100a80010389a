// Asio's compiled part, built once for the whole workbook
// (ASIO_SEPARATE_COMPILATION) instead of in every file that includes Asio.
// Its TLS part is built by the http wing (asio_ssl_impl.cpp), so a program
// that speaks no TLS links no OpenSSL.
#include <asio/impl/src.hpp>

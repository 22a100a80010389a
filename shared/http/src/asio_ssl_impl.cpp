// Asio's TLS, compiled once (ASIO_SEPARATE_COMPILATION) for every program
// that speaks HTTPS: the clients and the stand-in. The rest of Asio's
// compiled part is in the core wing (asio_impl.cpp).
#include <asio/ssl/impl/src.hpp>

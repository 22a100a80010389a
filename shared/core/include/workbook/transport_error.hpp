// A request that got no usable answer, and what failed (a Failure: the
// resolve, the connect, the certificate, ...), as a value. Both of the workbook's clients throw it:
// the blocking one on cpp-httplib (blocking_client.hpp) and the asynchronous one on Asio
// (http_client.hpp).
//
// Why a value and not only a message: the advice printed to a learner is
// chosen from the Failure (describe_transport_failure switches on it). Choosing
// it by searching the message for words like "TLS" or "timed out" breaks the
// day a message is reworded, and misleads when a message happens to hold two
// of them: "TLS handshake ... timed out" is a slow server, not a wrong CA.
//
// Light on purpose (no Asio, no httplib): github.hpp includes it.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace workbook {

enum class Failure {
    ca_file,           // the CA certificates for HTTPS could not be loaded: nothing was sent
    resolve,           // the host name did not resolve
    connect,           // TCP connect refused or unreachable
    tls_handshake,     // the TLS handshake failed for a reason other than the certificate
    certificate,       // the certificate chain did not verify against the CA
    host_name,         // the certificate verified but names another host
    timeout,           // connect, TLS handshake or response not done in time
    send,              // the request could not be written
    broken_off,        // the connection ended before the response was complete
    no_response,       // timeout or broken_off, and the client cannot tell which (cpp-httplib)
    protocol,          // what came back is not HTTP
    body_too_large,    // the body is over the client's cap
    content_encoding,  // a body in an encoding the client cannot decode, or a corrupt one
    redirect,          // too many redirects, or a redirect the client cannot follow
};

// "ca_file", "resolve", ... : for logs and test messages.
std::string_view to_string(Failure failure);

class TransportError : public std::runtime_error {
  public:
    TransportError(Failure failure, const std::string& message)
        : std::runtime_error(message), failure_(failure) {}
    Failure failure() const { return failure_; }

  private:
    Failure failure_;
};

}  // namespace workbook

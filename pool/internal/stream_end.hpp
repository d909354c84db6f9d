// Private: telling the end of a stream without receiving it. ipc::Connection
// reports an end of stream by throwing EOFError, and a throw costs tens of
// microseconds of unwinding; a pool meets an end at every worker's exit and at its
// fork server's, on the way to join().
#pragma once

#include <sys/socket.h>

#include "ipc/connection.hpp"

namespace mp::pool::internal {

// True when `connection` (a socket) holds nothing more to receive and its peer has
// closed its end: the next receive would throw EOFError. Never blocks.
inline bool at_end_of_stream(const ipc::Connection& connection) {
    if (connection.has_buffered_input()) return false;
    char byte;
    return ::recv(connection.fileno(), &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

}  // namespace mp::pool::internal

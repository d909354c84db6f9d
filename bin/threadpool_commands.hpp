// The subcommands of bin/threadpool, one source file each: wc (threadpool_wc.cpp),
// tour (threadpool_tour.cpp, its green part threadpool_green_tour.cpp), echo-server
// (threadpool_echo.cpp).
#pragma once

#include "bin/threadpool_args.hpp"

namespace mp::tools::threadpool {

inline constexpr const char* kProgram = "threadpool";

// wc [-j N] [FILE...]: coreutils `wc FILE...` with the files counted on a pool.
int wc_command(const WcOptions& options);
// tour: the classic threading / queue / pool examples with real output.
int tour_command();
// The tour's green threads part: seed 002's greenlet and gevent programs.
void green_tour();
// echo-server --port N: TCP echo on 127.0.0.1, a greenlet per connection, one thread.
int echo_server_command(const EchoOptions& options);

}  // namespace mp::tools::threadpool

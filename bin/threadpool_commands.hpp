// The subcommands of bin/threadpool, one source file each: wc (threadpool_wc.cpp),
// tour (threadpool_tour.cpp).
#pragma once

#include "bin/threadpool_args.hpp"

namespace mp::tools::threadpool {

inline constexpr const char* kProgram = "threadpool";

// wc [-j N] [FILE...]: coreutils `wc FILE...` with the files counted on a pool.
int wc_command(const WcOptions& options);
// tour: the classic threading / queue / pool examples with real output.
int tour_command();

}  // namespace mp::tools::threadpool

// The subcommands of bin/threadpool, one source file each.
#pragma once

#include "bin/threadpool_args.hpp"

namespace mp::threadpool::demo {

// wc [-j N] [FILE...]: coreutils `wc FILE...` with the files counted on a pool.
int wc_main(const WcOptions& options);
// tour: the classic threading / queue / pool examples with real output.
int tour_main();

}  // namespace mp::threadpool::demo

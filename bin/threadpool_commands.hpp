// The subcommands of bin/threadpool, one source file each.
#pragma once

#include <string>
#include <vector>

namespace mp::threadpool::demo {

// wc [-j N] [FILE...]: coreutils `wc FILE...` with the files counted on a pool.
int wc_main(const std::vector<std::string>& args);
// tour: the classic threading / queue / pool examples with real output.
int tour_main();

}  // namespace mp::threadpool::demo

// libFuzzer target over the demos' command-line parsers, in memory (the pure
// parse_args of each bin/<demo>_args.cpp). The fuzz build links the libraries
// only, so the parsers' sources come along here; demo_cli runs the demos whole.
#include "bin/cli/args.cpp"
#include "bin/cli/cli.cpp"
#include "bin/cli/shell.cpp"
#include "bin/ipc_args.cpp"
#include "bin/pool_args.cpp"
#include "bin/pool_jobs.cpp"
#include "bin/pool_sshlogin.cpp"
#include "bin/pool_termseq.cpp"
#include "bin/shm_args.cpp"
#include "bin/subproc_args.cpp"
#include "bin/sync_args.cpp"
#include "bin/threadpool_args.cpp"
#include "tests/fuzz/demo_args_fuzz.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    mp::cli::fuzz::demo_args(data, size);
    return 0;
}

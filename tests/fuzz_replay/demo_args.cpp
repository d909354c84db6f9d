// The demos' parsers for the replay of the demo_args corpus (the suite links
// bin/cli already; the demos' own sources are not part of any suite).
#include "bin/ipc_args.cpp"
#include "bin/pool_args.cpp"
#include "bin/pool_jobs.cpp"
#include "bin/pool_sshlogin.cpp"
#include "bin/pool_termseq.cpp"
#include "bin/shm_args.cpp"
#include "bin/subproc_args.cpp"
#include "bin/sync_args.cpp"
#include "bin/threadpool_args.cpp"

// bin/pool: a parallel job runner for shell pipelines (GNU parallel's core), and the
// tour of mp::pool.
#include <malloc.h>

#include <cstdio>
#include <limits>
#include <variant>

#include "bin/cli/main.hpp"
#include "bin/pool_args.hpp"
#include "bin/pool_commands.hpp"
#include "pool/pool.hpp"

namespace {

constexpr const char* kUsage =
    "usage: pool [OPTION]... CMD [ARG]... [::: ARG... | :::: FILE...]...\n"
    "       pool [OPTION]... CMD [ARG]... < ITEMS\n"
    "       pool --pipe [OPTION]... CMD [ARG]... < DATA\n"
    "       pool --pipe-part -a FILE [OPTION]... CMD [ARG]...\n"
    "       pool -S [N/]HOST[,...] [OPTION]... CMD [ARG]... ::: ARG...\n"
    "       pool --shellquote [OPTION]... [CMD [ARG]...] ::: ARG...\n"
    "       pool tour\n";

constexpr const char* kHelp =
    "Runs CMD once for each argument, several at a time: GNU parallel's command line.\n"
    "\n"
    "CMD of several words runs without a shell: an argument is part of one word, never\n"
    "split and never seen by a shell. CMD of one word holding shell syntax ('echo {} |\n"
    "wc -c') runs as sh -c, each argument shell-quoted first: it stays data there too.\n"
    "Without any replacement string the arguments are appended. Each job's stdout and\n"
    "stderr are written whole when it ends (unless --line-buffer or -u): lines of\n"
    "different jobs never interleave.\n"
    "\n"
    "Input sources (none: the items of stdin)\n"
    "  ::: ARG...           arguments; several ::: groups: every combination\n"
    "  :::+ ARG...          paired with the previous source element by element\n"
    "  :::: FILE...         the items of each FILE ('-': stdin), one source each\n"
    "  ::::+ FILE...        linked, as :::+\n"
    "  -a, --arg-file FILE  as :::: FILE (repeatable)\n"
    "  --arg-sep SEP        SEP instead of :::\n"
    "  --arg-file-sep SEP   SEP instead of ::::\n"
    "  -d, --delimiter D    items of stdin and files end with D (\\n \\t \\0 \\xHH too)\n"
    "  -0, --null           items end with NUL\n"
    "  -E EOF               the item EOF ends the input\n"
    "\n"
    "Replacement strings\n"
    "  {}  the arguments     {.}  without extension    {/}  basename    {//}  dirname\n"
    "  {/.} basename without extension    {#} job sequence number    {%} job slot\n"
    "  {N} {-N}  the Nth argument (from the end), also {N.} {N/} {N//} {N/.}\n"
    "  -I STR               STR instead of {}\n"
    "  --colsep REGEX       split each argument into the columns {1} {2}...\n"
    "\n"
    "Several arguments per job\n"
    "  -n, --max-args N     at most N arguments per job\n"
    "  -N, --max-replace-args N  as -n; -N 0: a job per argument, given none\n"
    "  -m                   as many as fit; the last ones shared among the job slots\n"
    "  -X                   as -m, the word around {} repeated for each argument\n"
    "  --xargs              as many as fit, never shared among the slots\n"
    "  -s, --max-chars N    a command line of at most N characters (default 129024)\n"
    "\n"
    "Running\n"
    "  -j, --jobs N         run N jobs at once (default: the number of cores); +N, -N:\n"
    "                       the cores plus or minus N; N%: of the cores; 0: as many as\n"
    "                       the descriptor limit allows\n"
    "  -q, --quote          never a shell, even for a one-word CMD\n"
    "  --timeout SEC        kill a job's process group after SEC (TERM, then KILL 1s later)\n"
    "  --retries N          N tries in all for a failing job (0: until it succeeds)\n"
    "  --halt soon|now      after the first failure start no new job (soon), and also\n"
    "                       kill the running ones (now); exit with the job's status\n"
    "  --termseq SEQ        how a job is stopped (--timeout, --halt now, --memfree,\n"
    "                       SIGINT): signals and waits in ms, TERM,200,TERM,100,KILL,25;\n"
    "                       SIGKILL after the last wait (default: TERM,1000,KILL)\n"
    "  --nice N             run the jobs N nicer (-20 to 19)\n"
    "  --dry-run            print each job's command as a shell reads it; run nothing\n"
    "  --shellquote         print each input shell-quoted (with CMD: its command line);\n"
    "                       run nothing\n"
    "\n"
    "Pacing and re-running\n"
    "  --delay DUR          start jobs DUR apart (seconds, or with s m h d)\n"
    "  --load N             start a job only while the machine has fewer than N\n"
    "                       runnable processes (-j's forms: 100% is one per core)\n"
    "  --memfree SIZE       start a job only while SIZE of memory is available; below\n"
    "                       SIZE/2 kill the youngest job (--termseq) and run it again\n"
    "                       later: not logged, no failure, no try, its output dropped\n"
    "                       (GNU parallel's manual; its code reruns it only with\n"
    "                       --retries, as a failed try)\n"
    "  --resume             with --joblog: skip the jobs the log has (by sequence number)\n"
    "  --resume-failed      with --joblog: skip only the jobs the log has as succeeded\n"
    "  --retry-failed       with --joblog: rerun the log's failed commands, nothing else\n"
    "\n"
    "Remote hosts\n"
    "  -S, --sshlogin [N/]HOST[,...]  run jobs on HOST through ssh, N at a time there\n"
    "                       (default: -j's); ':' is this machine; repeatable;\n"
    "                       a login may be SSH-COMMAND HOST, its own ssh command\n"
    "  --sshloginfile, --slf FILE  the logins of FILE, one -S value a line (# comments);\n"
    "                       FILE here, else in ~/.parallel; '..': ~/.parallel/sshloginfile\n"
    "  --ssh CMD            CMD instead of ssh; run as CMD HOST -- LINE, LINE the job's\n"
    "                       command quoted once for the remote shell\n"
    "  --transferfile, --tf FILE  send FILE (replacement strings expanded) before the\n"
    "                       job, through CMD HOST 'cat > FILE' (no rsync)\n"
    "  --transfer           as --transferfile {}\n"
    "  --return FILE        fetch FILE back after the job\n"
    "  --cleanup            remove the sent and fetched files on the host after the job\n"
    "  --trc FILE           --transfer --return FILE --cleanup\n"
    "  --workdir, --wd DIR  run in DIR there (relative: to the login's home); '.': the\n"
    "                       same directory relative to $HOME as here; '...': a new\n"
    "                       ~/.parallel/tmp/HOST-PID-SEQ, removed after the job\n"
    "  --env NAME           pass NAME's value to remote jobs (here they have it anyway)\n"
    "  A host ssh cannot reach fails its jobs with 255, the reason on stderr.\n"
    "\n"
    "Blocks of stdin instead of arguments\n"
    "  --pipe               cut stdin into blocks on record ends, one on each job's\n"
    "                       stdin (kept in memory, never in files)\n"
    "  --pipe-part          as --pipe, from the regular file -a FILE: each job's byte\n"
    "                       range of it\n"
    "  --block, --block-size SIZE  block size (default 1M; k m g t: powers of 1000,\n"
    "                       K M G T: of 1024; 1 to 2G-1); with --pipe-part, -N:\n"
    "                       N blocks for each job slot (default -10)\n"
    "  --recend STR         what ends a record (default: newline; none with --recstart)\n"
    "  --recstart STR       what starts a record (both must match at a cut)\n"
    "  -N N                 with --pipe: N records per block\n"
    "\n"
    "Output\n"
    "  -k, --keep-order     print outputs in input order (with --line-buffer, -u too)\n"
    "  --group              each job's output whole when it ends (the default)\n"
    "  --line-buffer, --lb  whole lines as they come, never half a line\n"
    "  -u, --ungroup        output as it comes, half lines of jobs may mix\n"
    "  --tag                put the job's arguments and a TAB before each line\n"
    "  --tagstring STR      put STR (replacement strings expanded) and a TAB instead\n"
    "  --results DIR        save the output in DIR/1/ARG/{stdout,stderr,seq}, print\n"
    "                       none (two sources: DIR/1/A/2/B/...); never via symlinks\n"
    "  --files              print the name of a file holding each job's stdout\n"
    "                       ($TMPDIR/parXXXXXX.par, or DIR's with --results)\n"
    "  --joblog [+]FILE     GNU parallel's tab-separated job log (+FILE appends)\n"
    "  --bar                progress on stderr\n"
    "\n"
    "  -h, --help           this text\n"
    "  pool tour            replays Python's multiprocessing examples with mp::pool\n"
    "\n"
    "Exit status: 0 all jobs succeeded; 1-100 that many failed; 101 more than 100\n"
    "failed; the failing job's status with --halt; 130/143 on SIGINT/SIGTERM (every\n"
    "job's process group is killed first); 255 usage error, an unreadable input file,\n"
    "an unreadable --sshloginfile, a bad --colsep regex, a --pipe-part file that is not\n"
    "a regular file, a --results directory that cannot be made or is a symlink, a\n"
    "damaged joblog, a command line too long (no job runs).\n";

// GNU parallel's code for a usage error and for its own failures.
constexpr int kUsageError = 255;

}  // namespace

int main(int argc, char** argv) {
    using namespace mp::tools::pool;
    // --pipe's blocks (up to 2G-1 each) come from the heap and go back to it: above
    // glibc's limit (32 MiB at most) each would be a new mapping, every page of it
    // faulted in again, and the faults cost more than the data's copy.
    mallopt(M_MMAP_THRESHOLD, std::numeric_limits<int>::max());
    mallopt(M_TRIM_THRESHOLD, std::numeric_limits<int>::max());
    return mp::cli::run_parsed(
        argc, argv,
        {.name = kProgram, .usage = kUsage, .help = kHelp, .usage_exit = kUsageError, .error_exit = kUsageError,
         .usage_after_message = true},
        [](const std::vector<std::string>& args) { return parse_args(args, mp::pool::cpu_count()); },
        [](const Command& command) {
            if (std::holds_alternative<Tour>(command)) return tour_command();
            return run_command(std::get<RunnerOptions>(command));
        });
}

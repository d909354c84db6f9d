// bin/pool against GNU parallel: each case is a command line, its stdin, and the
// output and exit status GNU parallel 20221122 gives (`parallel --will-cite ARGS`,
// run once to write this table: the suite does not need GNU parallel). "@D" stands for
// a scratch directory holding f1 ("x\ny\n"), f2 ("1\n2\n"), f10 and f100 (`seq 10`,
// `seq 100`), in the arguments and in the output. Then the unhappy paths
// and the places where bin/pool is safer than GNU parallel on purpose.
#include <gtest/gtest.h>

#include <memory>

#include <set>
#include <string>
#include <vector>

#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace mp::pool::test;
using mp::test::CommandResult;

// "1\n2\n...N\n", as seq(1) prints it.
std::string seq_lines(int from, int to) {
    std::string lines;
    for (int i = from; i <= to; ++i) lines += std::to_string(i) + "\n";
    return lines;
}

struct Case {
    std::vector<std::string> args;
    std::string input;
    std::string out;
    int exit_code;
};

const std::vector<Case> kCases = {
    // Argument sources: ::: :::+ :::: ::::+ -a --arg-file --arg-sep --arg-file-sep, stdin.
    {{"-k", "echo", ":::", "a", "b", ":::", "1", "2"}, "", "a 1\na 2\nb 1\nb 2\n", 0},
    {{"-k", "echo", ":::", "a", "b", "c", ":::+", "1", "2"}, "", "a 1\nb 2\n", 0},
    {{"-k", "echo", ":::", "a", "b", ":::", "1", "2", "3", ":::+", "X", "Y"}, "", "a 1 X\na 2 Y\nb 1 X\nb 2 Y\n", 0},
    {{"-k", "echo", "::::", "@D/f1", "@D/f2"}, "", "x 1\nx 2\ny 1\ny 2\n", 0},
    {{"-k", "echo", "::::", "@D/f1", "::::+", "@D/f2"}, "", "x 1\ny 2\n", 0},
    {{"-k", "echo", ":::", "a", "b", "::::", "@D/f1"}, "", "a x\na y\nb x\nb y\n", 0},
    {{"-k", "-a", "@D/f1", "-a", "@D/f2", "echo"}, "", "x 1\nx 2\ny 1\ny 2\n", 0},
    {{"-k", "--arg-file", "@D/f1", "echo"}, "", "x\ny\n", 0},
    {{"-k", "-a", "-", "echo", ":::", "1", "2"}, "p\nq\n", "p 1\np 2\nq 1\nq 2\n", 0},
    {{"-k", "--arg-sep", ",,", "echo", ",,", "a", "b"}, "", "a\nb\n", 0},
    {{"-k", "--arg-file-sep", "//", "echo", "//", "@D/f1"}, "", "x\ny\n", 0},
    // Items of stdin and files: -d, -0/--null, -E.
    {{"-k", "echo"}, "a b\nc\n", "a b\nc\n", 0},
    {{"-k", "-d", ",", "echo"}, "a,b,c", "a\nb\nc\n", 0},
    {{"-k", "-d", "\\t", "echo"}, "a\tb\n", "a\nb\n\n", 0},
    {{"-k", "-0", "echo"}, std::string("a\0b c\0", 6), "a\nb c\n", 0},
    {{"-k", "--null", "echo", "[{}]"}, std::string("a\nb\0c", 5), "[a\nb]\n[c]\n", 0},
    {{"-k", "-E", "STOP", "echo"}, "a\nb\nSTOP\nc\n", "a\nb\n", 0},
    {{"-E", "b", "echo", ":::", "a", "b", "c"}, "", "a\n", 0},
    // Replacement strings: {} {.} {/} {//} {/.} {#} {%} {N} {-N} with modifiers, -I, --colsep.
    {{"-k", "echo", "{}", "{.}", "{/}", "{//}", "{/.}", ":::", "dir/sub/file.tar.gz", "plain", ".hidden", "/root.x", "dir/", "/", "a//b"}, "", "dir/sub/file.tar.gz dir/sub/file.tar file.tar.gz dir/sub file.tar\nplain plain plain . plain\n.hidden  .hidden . \n/root.x /root root.x / root\ndir/ dir/  . \n/ /  / \na//b a//b b a b\n", 0},
    {{"-k", "-j1", "echo", "{#}", "{%}", ":::", "a", "b", "c"}, "", "1 1\n2 1\n3 1\n", 0},
    {{"-k", "echo", "{2}", "{1}", "{-1}", "{1.}", "{2/}", "{-1//}", "{2/.}", ":::", "a/b.c", ":::", "d/e.f"}, "", "d/e.f a/b.c d/e.f a/b e.f d e\n", 0},
    {{"-k", "-I", "XX", "echo", "XX-{}", ":::", "a"}, "", "a-{}\n", 0},
    {{"-k", "-I", "_", "echo", "_.{.}", ":::", "a.b"}, "", "a.b.a\n", 0},
    {{"-k", "--colsep", "\\t", "echo", "{2}", "{1}"}, "a\tb\nc\td\n", "b a\nd c\n", 0},
    {{"-k", "--colsep", "[0-9]", "echo", "{3}", "{1}", "{}"}, "a1b2c\n", "c a a b c\n", 0},
    {{"-k", "--colsep", ",", "echo"}, "a,b\n", "a b\n", 0},
    {{"-k", "echo", "{1}", ":::", "a", ":::", "b"}, "", "a\n", 0},
    {{"-k", "echo", "{#}", ":::", "a", "b"}, "", "1\n2\n", 0},
    // Several arguments per job: -n, -N, -m, -X, --xargs, -s (too long: exit 255, nothing run).
    {{"-k", "-n2", "echo", "{1}", ":::", "a", "b", "c", "d", "e"}, "", "a\nc\ne\n", 0},
    {{"-k", "-N2", "echo", "{1}/{2}", ":::", "a", "b", "c", "d", "e"}, "", "a/b\nc/d\ne/\n", 0},
    {{"-k", "-n", "2", "echo", ":::", "a", "b", "c", "d", "e"}, "", "a b\nc d\ne\n", 0},
    {{"-k", "--max-args", "2", "echo", ":::", "a", "b", "c"}, "", "a b\nc\n", 0},
    {{"-k", "-N0", "echo", "x", ":::", "a", "b"}, "", "x\nx\n", 0},
    {{"-k", "-N2", "echo", ":::", "a", "b", "c"}, "", "a b\nc\n", 0},
    {{"-k", "-n2", "echo", "{1}", "{2}", ":::", "a", "b", ":::", "1", "2"}, "", "a 1\nb 1\n", 0},
    {{"-j2", "-k", "-X", "echo", ":::", "1", "2", "3", "4", "5"}, "", "1 2 3\n4 5\n", 0},
    {{"-j2", "-k", "-m", "echo", ":::", "1", "2", "3", "4", "5"}, "", "1 2 3\n4 5\n", 0},
    {{"-k", "-j2", "-X", "echo", "pre-{}-post", ":::", "a", "b", "c"}, "", "pre-a-post pre-b-post\npre-c-post\n", 0},
    {{"-k", "-j2", "-m", "echo", "pre-{}-post", ":::", "a", "b", "c"}, "", "pre-a b-post\npre-c-post\n", 0},
    {{"-k", "-j3", "-X", "echo", ":::", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, "", "1 2 3 4\n5 6 7 8\n9 10\n", 0},
    {{"-k", "-j2", "-n", "2", "-X", "echo", ":::", "1", "2", "3", "4", "5"}, "", "1 2\n3 4\n5\n", 0},
    {{"-k", "-s", "10", "-X", "echo", ":::", "aaa", "bbb", "ccc", "ddd"}, "", "aaa\nbbb\nccc\nddd\n", 0},
    {{"-k", "--max-chars", "12", "-m", "echo", ":::", "aaa", "bbb", "ccc", "ddd"}, "", "aaa\nbbb\nccc\nddd\n", 0},
    {{"-k", "-s", "10", "-X", "echo", ":::", "aaaaaaaaaaaaa", "b"}, "", "", 255},
    {{"-j2", "--xargs", "echo", ":::", "1", "2", "3", "4", "5"}, "", "1 2 3 4 5\n", 0},
    {{"-k", "-j1", "-m", "echo", "{}-{#}", ":::", "a", "b", "c"}, "", "a b c-1\n", 0},
    {{"-k", "-j1", "-X", "echo", "{#}:{}", ":::", "a", "b"}, "", "1:a 1:b\n", 0},
    // -q, and a one-word command with shell syntax run by sh -c, the values quoted.
    {{"-k", "-q", "echo", "{}|x", ":::", "a"}, "", "a|x\n", 0},
    {{"-k", "echo {} | tr a-z A-Z", ":::", "a b", "$HOME", "it's", ";ls", "-n x", "`id`", "$(id)", "a\nb", "\"q\"", "*", "~", "x=1"}, "", "A B\n$HOME\nIT'S\n;LS\n-N X\n`ID`\n$(ID)\nA\nB\n\"Q\"\n*\n~\nX=1\n", 0},
    {{"-k", "echo {} | tr a-z A-Z"}, "a\n$(id)\n", "A\n$(ID)\n", 0},
    {{"-k", "printf \"%s|\" {}; echo", ":::", "a b", "c"}, "", "a b|\nc|\n", 0},
    {{"-k", "-j1", "-m", "printf \"<%s>\" {}; echo", ":::", "a b", "c", "d'e"}, "", "<a b><c><d'e>\n", 0},
    {{"-k", "-j1", "-X", "printf \"<%s>\" x{}y; echo", ":::", "a b", "c"}, "", "<xa by>\n", 0},
    {{"-k", "echo {.} {/} {#}", ":::", "a.b c/d e"}, "", "a.b c/d e d e 1\n", 0},
    // --retries N: N tries in all.
    {{"--retries", "2", "n=$(cat @D/cnt 2>/dev/null || echo 0); n=$((n+1)); echo $n > @D/cnt; echo try $n; [ $n -ge 3 ]", ":::", "a"}, "", "try 2\n", 1},
    {{"--retries", "3", "n=$(cat @D/cnt 2>/dev/null || echo 0); n=$((n+1)); echo $n > @D/cnt; echo try $n; [ $n -ge 3 ]", ":::", "a"}, "", "try 3\n", 1},
    // An input file that cannot be read: exit 255 (more in UnreadableInputFile...).
    {{"echo", "::::", "/nonexistent"}, "", "", 255},
    {{"echo", "never", "::::", "/nonexistent", ":::", "a"}, "", "", 255},    // Output control: --tag --tagstring --line-buffer/--lb -u/--ungroup --group --results --files.
    {{"-k", "--tag", "echo", ":::", "a", "b"}, "", "a\ta\nb\tb\n", 0},
    {{"-k", "--tag", "echo", "{1}-{2}", ":::", "a", "b", ":::", "1"}, "", "a 1\ta-1\nb 1\tb-1\n", 0},
    {{"-k", "--tag", "-n2", "echo", ":::", "a", "b", "c"}, "", "a b\ta b\nc\tc\n", 0},
    {{"-k", "--tagstring", "<{}-{#}>", "echo", "x", ":::", "a", "b"}, "", "<a-1>\tx a\n<b-2>\tx b\n", 0},
    {{"-k", "--tagstring", "{1}:{2/}", "echo", "{2}", ":::", "a", ":::", "d/e"}, "", "a:e\td/e\n", 0},
    {{"-k", "--tag", "printf 'x\\ny{}'", ":::", "a", "b"}, "", "a\tx\na\tyab\tx\nb\tyb", 0},
    {{"-k", "--tag", "echo"}, "p\nq\n", "p\tp\nq\tq\n", 0},
    {{"-k", "--line-buffer", "--tag", "echo {}; sleep 0.{}; echo {}", ":::", "2", "1"}, "", "2\t2\n2\t2\n1\t1\n1\t1\n", 0},
    {{"-k", "--line-buffer", "echo {}; sleep 0.{}; echo {}", ":::", "3", "1", "2"}, "", "3\n3\n1\n1\n2\n2\n", 0},
    {{"-k", "--lb", "printf 'a{}'; sleep 0.{}; echo b{}", ":::", "2", "1"}, "", "a2b2\na1b1\n", 0},
    {{"-k", "-u", "echo", ":::", "a", "b"}, "", "a\nb\n", 0},
    {{"-k", "-u", "--tag", "echo", ":::", "a"}, "", "a\n", 0},
    {{"-k", "--results", "@D/r", "echo", ":::", "a", "b"}, "", "", 0},
    {{"-k", "--results", "@D/r", "--files", "echo", ":::", "a", "b/c"}, "", "@D/r/1/a/stdout\n@D/r/1/b\\_c/stdout\n", 0},
    {{"-k", "--results", "@D/r", "--files", "echo", ":::", "a", ":::", "1", "2"}, "", "@D/r/1/a/2/1/stdout\n@D/r/1/a/2/2/stdout\n", 0},
    {{"--results", "@D/r", "--files", "false", ":::", "a"}, "", "@D/r/1/a/stdout\n", 1},
    {{"-k", "--group", "echo", ":::", "a"}, "", "a\n", 0},
    // --pipe and --pipe-part: blocks on record boundaries (--block, -N, --recend, --recstart).
    {{"-k", "--pipe", "--block", "6", "cat; echo --"}, seq_lines(1, 10), "1\n2\n3\n--\n4\n5\n6\n--\n7\n8\n9\n--\n10\n--\n", 0},
    {{"-k", "--pipe", "--block", "10", "wc -c"}, seq_lines(1, 100), "10\n8\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n9\n4\n", 0},
    {{"-k", "--pipe", "--block", "5", "wc -c"}, seq_lines(1, 30), "4\n4\n4\n4\n5\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n3\n", 0},
    {{"-k", "--pipe", "--block", "1k", "wc -l"}, seq_lines(1, 1000), "277\n250\n250\n223\n", 0},
    {{"-k", "--pipe", "--block-size", "1.5K", "wc -c"}, seq_lines(1, 1000), "1536\n1536\n821\n", 0},
    {{"-k", "--pipe", "wc", "-l"}, seq_lines(1, 1000), "1000\n", 0},
    {{"-k", "--pipe", "-N3", "cat; echo --"}, seq_lines(1, 10), "1\n2\n3\n--\n4\n5\n6\n--\n7\n8\n9\n--\n10\n--\n", 0},
    {{"-k", "--pipe", "-N3", "--block", "2", "cat; echo --"}, seq_lines(1, 10), "1\n2\n3\n--\n4\n5\n6\n--\n7\n8\n9\n--\n10\n--\n", 0},
    {{"-k", "--pipe", "--block", "3", "cat; echo --"}, "a\nb\nc", "a\n--\nb\n--\nc--\n", 0},
    {{"-k", "--pipe", "echo ran"}, "", "", 0},
    {{"-k", "--pipe", "--recstart", ">", "--block", "4", "cat; echo --"}, ">x\n1\n>y\n2\n>z\n3\n", ">x\n1\n--\n>y\n2\n--\n>z\n3\n--\n", 0},
    {{"-k", "--pipe", "--recstart", ">", "--block", "8", "cat; echo --"}, ">x\n1\n>y\n2\n>z\n3\n", ">x\n1\n--\n>y\n2\n--\n>z\n3\n--\n", 0},
    {{"-k", "--pipe", "--recend", ";", "--block", "3", "cat; echo --"}, "a;b;c;d;", "a;--\nb;--\nc;--\nd;--\n", 0},
    {{"-k", "--pipe", "--recend", "\n", "--recstart", ">", "--block", "5", "cat; echo --"}, ">a\n>b>c\n>d\n", ">a\n--\n>b>c\n--\n>d\n--\n", 0},
    {{"-k", "--pipe", "--block", "3", "echo {#}; cat"}, seq_lines(1, 5), "1\n1\n2\n2\n3\n3\n4\n4\n5\n5\n", 0},
    {{"-k", "--pipe", "--block", "4", "--tag", "--tagstring", "{#}", "cat"}, seq_lines(1, 5), "1\t1\n1\t2\n2\t3\n2\t4\n3\t5\n", 0},
    {{"-k", "--pipe", "--block", "4", "--line-buffer", "cat"}, seq_lines(1, 5), "1\n2\n3\n4\n5\n", 0},
    {{"-k", "--pipe", "--block", "2", "-j1", "--joblog", "@D/log", "cat"}, seq_lines(1, 2), "1\n2\n", 0},
    {{"--pipe", "--block", "2", "grep 1"}, seq_lines(1, 4), "1\n", 3},
    {{"-k", "--pipe-part", "-a", "@D/f10", "--block", "6", "cat; echo --"}, "", "1\n2\n3\n4\n--\n5\n6\n7\n8\n--\n9\n10\n--\n", 0},
    {{"-k", "--pipe-part", "-a", "@D/f100", "--block", "10", "wc -c"}, "", "12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n12\n4\n", 0},
    {{"-k", "--pipe-part", "-a", "@D/f100", "--block", "37", "wc -l"}, "", "16\n13\n13\n13\n13\n13\n13\n6\n", 0},
    {{"-k", "--pipe-part", "--block", "5", "-a", "@D/f100", "wc -c"}, "", "6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n4\n", 0},
    {{"-k", "--pipe-part", "-a", "@D/f100", "--block", "1k", "wc -l"}, "", "100\n", 0},
    // No --block: 10 blocks for each job slot; --block -N: N for each.
    {{"-k", "-j2", "--pipe-part", "-a", "@D/f100", "wc -l"}, "", "8\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n6\n2\n", 0},
    {{"-k", "-j1", "--pipe-part", "-a", "@D/f100", "wc -l"}, "", "14\n11\n11\n11\n11\n11\n11\n11\n9\n", 0},
    {{"-k", "-j2", "--pipe-part", "-a", "@D/f100", "--block", "-1", "wc -l"}, "", "53\n47\n", 0},
    {{"-k", "-j3", "--pipe-part", "-a", "@D/f100", "--block", "-2", "wc -l"}, "", "20\n17\n17\n17\n17\n12\n", 0},
    {{"--pipe", "--block", "-2", "wc -l"}, "", "", 255},
    {{"-k", "--pipe-part", "-a", "@D/f1", "--recend", "x", "--block", "1", "cat; echo --"}, "", "x\ny\n--\n", 0},
    {{"-k", "--pipe-part", "-a", "@D/f100", "--recstart", "5", "--block", "50", "wc -l"}, "", "24\n20\n20\n20\n16\n", 0},
    {{"-k", "--pipe-part", "-a", "@D/f100", "-N", "1", "--block", "280", "wc -l"}, "", "", 255},
    {{"--pipe-part", "-a", "@D/none", "wc -l"}, "", "", 255},    // Remote hosts, -S through --ssh @D/ssh (fake_ssh: HOST's home is @D/h/HOST, down*
    // is unreachable), or a login's own ssh command; ':' is this machine. Each item is
    // one literal word there.
    {{"-k", "-q", "--ssh", "@D/ssh", "-S", "1/h1", "printf", "<%s>\\n", ":::", "a b", "it's", "\"q\"", "$HOME", ";ls", "x\\y", "`id`"}, "", "<a b>\n<it's>\n<\"q\">\n<$HOME>\n<;ls>\n<x\\y>\n<`id`>\n", 0},
    {{"-k", "--ssh", "@D/ssh", "-S", "1/h1", "echo {} | tr a-z A-Z; pwd", ":::", "a b", "$(id)"}, "", "A B\n@D/h/h1\n$(ID)\n@D/h/h1\n", 0},
    {{"-k", "--ssh", "@D/ssh", "--sshlogin", "1/h1", "echo", ":::", "a"}, "", "a\n", 0},
    {{"-k", "--ssh", "@D/none", "-S", ":", "echo", ":::", "a"}, "", "a\n", 0},
    {{"-k", "--ssh", "@D/ssh", "-S", "1/down", "echo", ":::", "a", "b"}, "", "", 2},
    {{"-k", "--ssh", "@D/ssh", "--sshloginfile", "@D/logins", "echo {} $(basename $PWD)", ":::", "a"}, "", "a h1\n", 0},
    {{"-k", "--ssh", "@D/ssh", "-S", "1/h1", "--workdir", "w/d", "pwd", ":::", "a"}, "", "@D/h/h1/w/d\n", 0},
    {{"-k", "-S", "1/@D/ssh h1", "echo {} $(basename $PWD)", ":::", "a"}, "", "a h1\n", 0},
    {{"-k", "-S", "/@D/ssh h2", "echo {} $(basename $PWD)", ":::", "a"}, "", "a h2\n", 0},
    {{"--sshloginfile", "@D/none", "echo", ":::", "a"}, "", "", 255},
    {{"-S", "0/h1", "echo", ":::", "a"}, "", "", 255},
    {{"-S", "x/h1", "echo", ":::", "a"}, "", "", 255},
    {{"-S", "2/", "echo", ":::", "a"}, "", "", 255},
    {{"-S", "h1,,h2", "echo", ":::", "a"}, "", "", 255},
    {{"--ssh", "'ssh", "-S", "h1", "echo", ":::", "a"}, "", "", 255},
    // --shellquote (GNU parallel writes ' as '"'"'; a shell reads both the same),
    // --nice (19 is the most), --termseq (the job's INT trap runs, then its wait ends).
    {{"-k", "--shellquote", ":::", "a b", "it's", "$x", "plain"}, "", "'a b'\n'it'\\''s'\n'$x'\nplain\n", 0},
    {{"-k", "--shellquote", "echo", ":::", "a b"}, "", "'echo '\\''a b'\\'''\n", 0},
    {{"-k", "--shellquote", "--colsep", "\\t"}, "a\tb c\n", "'a b c'\n", 0},
    {{"-N0", "--nice", "19", "nice", ":::", "a"}, "", "19\n", 0},
    {{"-N0", "--nice", "19", "--ssh", "@D/ssh", "-S", "1/h1", "nice", ":::", "a"}, "", "19\n", 0},
    {{"--nice", "20", "nice"}, "", "", 255},
    {{"--termseq", "INT,200,KILL,25", "--timeout", "1", "echo start; trap \"echo got INT\" INT; sleep 3; echo end", ":::", "a"}, "", "start\ngot INT\nend a\n", 1},
    {{"--termseq", "FOO,100", "echo"}, "", "", 255},
    {{"--termseq", "TERM,x", "echo"}, "", "", 255},
    {{"--env", "1X", "echo"}, "", "", 255},
};

std::string with_dir(std::string text, const std::string& dir) {
    for (std::size_t at; (at = text.find("@D")) != std::string::npos;) text.replace(at, 2, dir);
    return text;
}

// A case's scratch directory with its files and the stand-in ssh, all made before
// any case runs: a script written while another thread forks stays open for writing
// in that child (and in the bin/pool it becomes), and running the script then fails
// with "Text file busy".
struct Scratch {
    TempDir dir;
    int setup_status = -1;
    Scratch() {
        setup_status = mp::test::run_command({"sh", "-c",
                                              "printf 'x\\ny\\n' > \"$0/f1\"; printf '1\\n2\\n' > \"$0/f2\"; "
                                              "seq 10 > \"$0/f10\"; seq 100 > \"$0/f100\"; "
                                              "printf '# hosts\\n\\n1/h1\\n' > \"$0/logins\"",
                                              dir.path})
                           .exit_code;
        fake_ssh(dir);
    }
};

// The cases run six at a time (mp::test::map_at_once), each in a scratch directory of
// its own, so they cannot see one another.
TEST(BinPoolGnuParallel, EveryCaseGivesGnuParallelsOutputAndStatus) {
    std::vector<std::unique_ptr<Scratch>> scratches;
    std::vector<std::size_t> indices;
    for (std::size_t i = 0; i < kCases.size(); ++i) {
        scratches.push_back(std::make_unique<Scratch>());
        indices.push_back(i);
    }
    const std::vector<CommandResult> results = mp::test::map_at_once(indices, 6, [&](std::size_t i) {
        std::vector<std::string> args;
        for (const std::string& arg : kCases[i].args) args.push_back(with_dir(arg, scratches[i]->dir.path));
        return pool_cli(args, kCases[i].input);
    });
    for (std::size_t i = 0; i < kCases.size(); ++i) {
        const Case& c = kCases[i];
        const CommandResult& result = results[i];
        std::string line;
        for (const std::string& arg : c.args) line += (line.empty() ? "" : " ") + arg;
        ASSERT_EQ(scratches[i]->setup_status, 0) << line;
        EXPECT_EQ(result.out, with_dir(c.out, scratches[i]->dir.path)) << line << "\n" << result.err;
        EXPECT_EQ(result.exit_code, c.exit_code) << line << "\n" << result.err;
    }
}

// Items that would be shell code in a shell command line stay data: printed as they
// are, and nothing they say is run (no file "pwned" appears).
TEST(BinPoolGnuParallel, HostileItemsInAShellCommandLineNeverRunAsCode) {
    TempDir dir;
    const std::string pwned = dir.file("pwned");
    const std::vector<std::string> items = {"a b", "it's", "\"q\"", "$HOME", "$(touch " + pwned + ")",
                                            "`touch " + pwned + "`", "; touch " + pwned, "x\ny", "-n", "--help",
                                            "x=1", "*", "~", "a\\b", "", "> " + pwned, "| touch " + pwned};
    std::string expected;
    for (const std::string& item : items) expected += "<" + item + ">\n";
    std::vector<std::string> args = {"-k", "printf '<%s>\\n' {}", ":::"};
    args.insert(args.end(), items.begin(), items.end());
    CommandResult r = pool_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, expected);
    // The same items from stdin (NUL-separated, as a newline is one of them), as
    // positional and modified values, several per job with -m and -X.
    std::string input;
    for (const std::string& item : items) input += item + '\0';
    r = pool_cli({"-k", "-0", "printf '<%s>\\n' {1}"}, input);
    EXPECT_EQ(r.out, expected) << r.err;
    r = pool_cli({"-k", "-0", "-j1", "-m", "printf '<%s>\\n' {}"}, input);
    EXPECT_EQ(r.out, expected) << r.err;
    r = pool_cli({"-k", "-0", "-j1", "-X", "printf '<%s>\\n' {}"}, input);
    EXPECT_EQ(r.out, expected) << r.err;
    // A value in the command word's place is a command name, never an assignment
    // followed by code (GNU parallel runs `x=1;touch ...` there).
    r = pool_cli({"{} 2>/dev/null; echo done", ":::", "x=1;touch " + pwned, "x=1 touch " + pwned});
    EXPECT_EQ(r.out, "done\ndone\n");
    EXPECT_NE(mp::test::run_command({"test", "-e", pwned}).exit_code, 0) << "an item ran as shell code";
}

// Several words run without a shell, as they always did: a shell word in them is
// an argument (GNU parallel would join them and run a shell; this is safer).
TEST(BinPoolGnuParallel, SeveralWordsNeverGoThroughAShell) {
    const CommandResult r = pool_cli({"-k", "echo", "{}", "|", "tr", "a-z", "A-Z", ":::", "a;b"});
    EXPECT_EQ(r.exit_code, 0);
    EXPECT_EQ(r.out, "a;b | tr a-z A-Z\n");
}

TEST(BinPoolGnuParallel, UnreadableInputFileIsAnErrorAndNothingRuns) {
    TempDir dir;
    const std::string ran = dir.file("ran");
    // The sources after CMD, or (-a) before it.
    for (const std::vector<std::string>& sources : std::vector<std::vector<std::string>>{
             {"::::", "/nonexistent/items"},
             {"::::", "/nonexistent/items", ":::", "a"},
             {":::", "a", "::::+", "/nonexistent/items"},
             {"-a", "/nonexistent/items"},
             {"::::", dir.path},  // a directory: open works, read does not
             {"::::", dir.path, ":::", "a"}}) {
        std::vector<std::string> args = {"touch", ran};
        args.insert(sources.front() == "-a" ? args.begin() : args.end(), sources.begin(), sources.end());
        const CommandResult r = pool_cli(args, "from stdin\n");
        EXPECT_EQ(r.exit_code, 255) << sources.back();
        EXPECT_EQ(r.err.rfind("pool: ", 0), 0u) << r.err;
        EXPECT_TRUE(r.err.find("No such file or directory") != std::string::npos ||
                    r.err.find("Is a directory") != std::string::npos)
            << r.err;
        EXPECT_NE(mp::test::run_command({"test", "-e", ran}).exit_code, 0) << "a job ran";
    }
    const CommandResult missing = pool_cli({"echo", "::::", "/nonexistent/items"});
    EXPECT_EQ(missing.err.rfind("pool: cannot read input file '/nonexistent/items': No such file or directory", 0), 0u)
        << missing.err;
}

TEST(BinPoolGnuParallel, BadColsepRegexIsAnErrorAndNothingRuns) {
    TempDir dir;
    for (const std::string regex : {"(", "[a-", "*", "a{2,1}"}) {
        const CommandResult r = pool_cli({"--colsep", regex, "touch", dir.file("ran")}, "a b\n");
        EXPECT_EQ(r.exit_code, 255) << regex;
        EXPECT_EQ(r.err.rfind("pool: --colsep: not a regex: '" + regex + "'", 0), 0u) << r.err;
        EXPECT_NE(mp::test::run_command({"test", "-e", dir.file("ran")}).exit_code, 0) << regex;
    }
}

// {%} is a slot from 1 to -j, and no two running jobs share one.
TEST(BinPoolGnuParallel, SlotsStayWithinTheJobCount) {
    const CommandResult r = pool_cli({"-j3", "echo", "{%}", ":::", "a", "b", "c", "d", "e", "f", "g", "h", "i"});
    EXPECT_EQ(r.exit_code, 0);
    std::multiset<std::string> slots;
    for (std::size_t from = 0, end; (end = r.out.find('\n', from)) != std::string::npos; from = end + 1)
        slots.insert(r.out.substr(from, end - from));
    EXPECT_EQ(slots.size(), 9u) << r.out;
    for (const std::string& slot : slots) EXPECT_TRUE(slot == "1" || slot == "2" || slot == "3") << slot;
}

TEST(BinPoolGnuParallel, UsageErrors) {
    for (const auto& args : std::vector<std::vector<std::string>>{{"-n", "0", "echo"},
                                                                 {"-N", "x", "echo"},
                                                                 {"-s", "0", "echo"},
                                                                 {"-d", "", "echo"},
                                                                 {"-d", "\\q", "echo"},
                                                                 {"-I", "", "echo"},
                                                                 {"--colsep", "", "echo"},
                                                                 {"--arg-sep", "", "echo"},
                                                                 {"--retries", "-1", "echo"},
                                                                 {":::", "a"},
                                                                 {"echo", ":::+", "a"}}) {
        const CommandResult r = pool_cli(args, "a\n");
        EXPECT_EQ(r.exit_code, 255) << args[0];
        EXPECT_EQ(r.out, "");
        EXPECT_EQ(r.err.rfind("pool: ", 0), 0u) << r.err;
    }
}

TEST(BinPoolGnuParallel, HelpListsEveryOption) {
    const CommandResult r = pool_cli({"--help"});
    EXPECT_EQ(r.exit_code, 0);
    for (const std::string option :
         {":::", ":::+", "::::", "::::+", "--arg-file", "--arg-sep", "--arg-file-sep", "--delimiter", "--null", "-E",
          "{.}", "{/}", "{//}", "{/.}", "{#}", "{%}", "{-N}", "-I", "--colsep", "--max-args", "--max-replace-args",
          "-m", "-X", "--xargs", "--max-chars", "--jobs", "--quote", "--timeout", "--retries", "--halt",
          "--keep-order", "--joblog", "--bar", "--pipe", "--pipe-part", "--block", "--block-size", "--recend",
          "--recstart", "--group", "--line-buffer", "--lb", "--ungroup", "--tag", "--tagstring", "--results",
          "--files", "--sshlogin", "--sshloginfile", "--slf", "--ssh", "--transferfile", "--tf", "--transfer",
          "--return", "--cleanup", "--trc", "--workdir", "--wd", "--env", "--shellquote", "--nice", "--termseq"})
        EXPECT_NE(r.out.find(option), std::string::npos) << option;
}

}  // namespace

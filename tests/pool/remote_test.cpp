// bin/pool's remote hosts without a network: --ssh names fake_ssh, which runs each
// remote command with sh -c in DIR/h/HOST. What the case table cannot show: hostile
// items reaching the remote shell as one literal word each, the reason of a failed
// ssh, the spread over hosts, files sent, returned and cleaned up, the temporary
// workdir, --env, and an --sshloginfile that cannot be read.
#include <gtest/gtest.h>

#include <filesystem>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "tests/pool/test_support.hpp"
#include "tests/support/helpers.hpp"

namespace {

using namespace mp::pool::test;
using mp::test::path_exists;
using mp::test::CommandResult;

// bin/pool with `args`, run in `dir` (file names relative to it), with `env` set.
CommandResult pool_in(const std::string& dir, const std::vector<std::string>& args,
                      const std::vector<std::string>& env = {}) {
    std::vector<std::string> argv = {"env", "-C", dir};
    argv.insert(argv.end(), env.begin(), env.end());
    argv.push_back(std::filesystem::absolute(mp::test::bin_path("pool")).string());
    argv.insert(argv.end(), args.begin(), args.end());
    return mp::test::run_command(argv, "", std::chrono::seconds(60));
}

TEST(BinPoolRemote, EveryItemIsOneLiteralWordOnTheRemoteSide) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    const std::string pwned = dir.file("pwned");
    const std::vector<std::string> items = {"a b",
                                            "it's",
                                            "\"q\"",
                                            "$HOME",
                                            "$(touch " + pwned + ")",
                                            "`touch " + pwned + "`",
                                            "; touch " + pwned,
                                            "x\ny",
                                            "a\\b",
                                            "",
                                            "-n",
                                            "*",
                                            "~",
                                            "> " + pwned,
                                            "a  b\t"};
    std::string expected;
    for (const std::string& item : items) expected += "<" + item + ">\n";
    // Several words (never a shell here, quoted once for the remote one), a one-word
    // shell line, and several items per job.
    for (const std::vector<std::string>& command : std::vector<std::vector<std::string>>{
             {"printf", "<%s>\\n"}, {"printf '<%s>\\n' {}"}, {"-j1", "-m", "printf '<%s>\\n' {}"}}) {
        std::vector<std::string> args = {"-k", "--ssh", ssh, "-S", "1/h1"};
        args.insert(args.end(), command.begin(), command.end());
        args.push_back(":::");
        args.insert(args.end(), items.begin(), items.end());
        const CommandResult r = pool_cli(args);
        EXPECT_EQ(r.exit_code, 0) << command.back() << "\n" << r.err;
        EXPECT_EQ(r.out, expected) << command.back();
    }
    EXPECT_FALSE(path_exists(pwned)) << "an item ran as shell code";
}

TEST(BinPoolRemote, AnUnreachableHostFailsItsJobsWithTheReason) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    // Two hosts, one down: its jobs fail with ssh's 255, the other's run.
    const CommandResult r =
        pool_cli({"-k", "--ssh", ssh, "-S", "1/down1,1/h1", "echo {}; sleep 0.3", ":::", "a", "b"});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_TRUE(r.out == "a\n" || r.out == "b\n") << r.out;
    EXPECT_NE(r.err.find("ssh: connect to host down1 port 22: Connection refused\n"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("pool: down1: " + ssh + " exited with 255: the host cannot be reached"),
              std::string::npos)
        << r.err;
    // The joblog has the host and GNU parallel's Exitval for it.
    const CommandResult logged =
        pool_cli({"--joblog", dir.file("log"), "--ssh", ssh, "-S", "1/down1", "true", ":::", "a"});
    EXPECT_EQ(logged.exit_code, 1);
    EXPECT_NE(slurp(dir.file("log")).find("1\tdown1\t"), std::string::npos) << slurp(dir.file("log"));
    EXPECT_NE(slurp(dir.file("log")).find("\t255\t0\ttrue a\n"), std::string::npos) << slurp(dir.file("log"));
    // An --ssh that cannot be run: the job fails, named.
    const CommandResult missing = pool_cli({"--ssh", dir.file("none"), "-S", "h1", "true", ":::", "a"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find(dir.file("none")), std::string::npos) << missing.err;
}

TEST(BinPoolRemote, JobsSpreadOverEveryHostsSlots) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    // Three slots on three hosts (two -S accumulate, : among them); each job outlives
    // the start of the others, so each slot takes one.
    const CommandResult r = pool_cli(
        {"--ssh", ssh, "-S", "1/h1,1/h2", "-S", "1/:", "sleep 0.5; basename \"$PWD\"", ":::", "a", "b", "c"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::multiset<std::string> hosts;
    for (std::size_t from = 0, end; (end = r.out.find('\n', from)) != std::string::npos; from = end + 1)
        hosts.insert(r.out.substr(from, end - from));
    EXPECT_EQ(hosts.count("h1"), 1u) << r.out;
    EXPECT_EQ(hosts.count("h2"), 1u) << r.out;
    EXPECT_EQ(hosts.size(), 3u) << r.out;
    // N/host: N slots there ({%} runs from 1 to the sum), -j for a host without N.
    const CommandResult slots =
        pool_cli({"-k", "-j1", "--ssh", ssh, "-S", "2/h1,h2", "sleep 0.5; echo {%}", ":::", "a", "b", "c"});
    EXPECT_EQ(slots.exit_code, 0) << slots.err;
    const std::multiset<std::string> expected = {"1", "2", "3"};
    std::multiset<std::string> seen;
    for (std::size_t from = 0, end; (end = slots.out.find('\n', from)) != std::string::npos; from = end + 1)
        seen.insert(slots.out.substr(from, end - from));
    EXPECT_EQ(seen, expected) << slots.out;
}

TEST(BinPoolRemote, FilesAreSentReturnedAndCleanedUp) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    ASSERT_EQ(
        mp::test::run_command({"sh", "-c", "mkdir \"$0/in\" && printf 'x\\ny\\n' > \"$0/in/a b\"", dir.path})
            .exit_code,
        0);
    // Without --cleanup the files stay on the host; the result comes back.
    CommandResult r = pool_in(dir.path, {"--ssh", ssh, "-S", "h1", "--transferfile", "{}", "--return", "{}.n",
                                         "wc -l < {} > {}.n", ":::", "in/a b"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(slurp(dir.file("in/a b.n")), "2\n");
    EXPECT_EQ(slurp(dir.file("h/h1/in/a b")), "x\ny\n");
    EXPECT_TRUE(path_exists(dir.file("h/h1/in/a b.n")));
    // --trc: --transfer --return --cleanup, in a --workdir.
    ASSERT_EQ(mp::test::run_command({"rm", "-rf", dir.file("h"), dir.file("in/a b.n")}).exit_code, 0);
    r = pool_in(dir.path, {"--ssh", ssh, "-S", "h1", "--workdir", "wd", "--trc", "{}.n", "wc -l < {} > {}.n",
                           ":::", "in/a b"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(slurp(dir.file("in/a b.n")), "2\n");
    EXPECT_TRUE(path_exists(dir.file("h/h1/wd/in")));
    EXPECT_FALSE(path_exists(dir.file("h/h1/wd/in/a b")));
    EXPECT_FALSE(path_exists(dir.file("h/h1/wd/in/a b.n")));
    // A file that cannot be sent: the job does not run and fails with 255, named.
    r = pool_in(dir.path, {"--ssh", ssh, "-S", "h1", "--transfer", "touch ran", ":::", "in/none"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("pool: --transferfile: cannot read 'in/none': No such file or directory"),
              std::string::npos)
        << r.err;
    EXPECT_FALSE(path_exists(dir.file("h/h1/ran")));
    // A --return file the job did not make: the job fails, cat's reason shown.
    r = pool_in(dir.path, {"--ssh", ssh, "-S", "h1", "--return", "missing", "true", ":::", "a"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("missing"), std::string::npos) << r.err;
    // The local host transfers nothing: the files are here already.
    r = pool_in(dir.path, {"--ssh", ssh, "-S", ":", "--trc", "{}.n", "wc -l < {} > {}.n", ":::", "in/a b"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(path_exists(dir.file("in/a b")));
}

TEST(BinPoolRemote, TheWorkdirOfThreeDotsIsTheJobsOwnAndRemovedAfter) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    const CommandResult r =
        pool_cli({"-k", "--ssh", ssh, "-S", "h1", "--workdir", "...", "pwd; touch made", ":::", "a", "b"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    const std::string prefix = dir.file("h/h1/.parallel/tmp/");
    const std::size_t end = r.out.find('\n');
    ASSERT_NE(end, std::string::npos) << r.out;
    const std::string first = r.out.substr(0, end), second = r.out.substr(end + 1);
    EXPECT_EQ(first.rfind(prefix, 0), 0u) << r.out;
    EXPECT_EQ(second.rfind(prefix, 0), 0u) << r.out;
    EXPECT_NE(first + "\n", second) << "two jobs shared a workdir";
    EXPECT_FALSE(path_exists(first)) << first;
    // --workdir . : the same directory relative to $HOME as here.
    ASSERT_EQ(mp::test::run_command({"mkdir", "-p", dir.file("home/pro ject")}).exit_code, 0);
    const CommandResult same =
        pool_in(dir.file("home/pro ject"), {"--ssh", ssh, "-S", "h1", "--workdir", ".", "pwd", ":::", "a"},
                {"HOME=" + dir.file("home")});
    EXPECT_EQ(same.out, dir.file("h/h1/pro ject") + "\n") << same.err;
}

TEST(BinPoolRemote, EnvPassesValuesToRemoteJobs) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    const std::string value = "it's $x `y` \"z\"\nw";
    // A remote login starts with its own environment: only --env brings ours.
    CommandResult r =
        pool_in(dir.path, {"-k", "--ssh", ssh, "-S", "h1", "printf '<%s>\\n' \"$FOO\" \"$BAR\"", ":::", "a"},
                {"FOO=" + value, "BAR=b"});
    EXPECT_EQ(r.out, "<>\n<>\n<a>\n") << r.err;
    r = pool_in(dir.path,
                {"-k", "--env", "FOO", "--env", "BAR", "--ssh", ssh, "-S", "h1",
                 "printf '<%s>\\n' \"$FOO\" \"$BAR\"", ":::", "a"},
                {"FOO=" + value, "BAR=b"});
    EXPECT_EQ(r.out, "<" + value + ">\n<b>\n<a>\n") << r.err;
    // Here the jobs have our environment anyway.
    r = pool_in(dir.path, {"--env", "FOO", "printf '<%s>\\n' \"$FOO\"", ":::", "a"}, {"FOO=x"});
    EXPECT_EQ(r.out, "<x>\n<a>\n") << r.err;
}

TEST(BinPoolRemote, AnSshloginfileThatCannotBeReadRunsNothing) {
    TempDir dir;
    const std::string ssh = fake_ssh(dir);
    for (const std::string& file : {dir.file("none"), dir.path}) {
        const CommandResult r =
            pool_cli({"--ssh", ssh, "--sshloginfile", file, "touch", dir.file("ran"), ":::", "a"});
        EXPECT_EQ(r.exit_code, 255) << file;
        EXPECT_EQ(r.err.rfind("pool: cannot read --sshloginfile '" + file + "': ", 0), 0u) << r.err;
        EXPECT_FALSE(path_exists(dir.file("ran")));
    }
    // GNU parallel's places: ~/.parallel/FILE when FILE is not here, `..` for
    // ~/.parallel/sshloginfile.
    ASSERT_EQ(mp::test::run_command(
                  {"sh", "-c",
                   "mkdir -p \"$0/home/.parallel\" && echo 1/h1 > \"$0/home/.parallel/sshloginfile\" && "
                   "echo 1/h2 > \"$0/home/.parallel/mine\"",
                   dir.path})
                  .exit_code,
              0);
    for (const auto& [file, host] : {std::pair<std::string, std::string>{"..", "h1"}, {"mine", "h2"}}) {
        const CommandResult found =
            pool_in(dir.path, {"--ssh", ssh, "--slf", file, "basename \"$PWD\"", ":::", "a"},
                    {"HOME=" + dir.file("home")});
        EXPECT_EQ(found.out, host + "\n") << file << "\n" << found.err;
    }
    // A file of comments only names no host.
    ASSERT_EQ(mp::test::run_command({"sh", "-c", "echo '# none' > \"$0\"", dir.file("empty")}).exit_code, 0);
    const CommandResult r =
        pool_cli({"--sshloginfile", dir.file("empty"), "touch", dir.file("ran"), ":::", "a"});
    EXPECT_EQ(r.exit_code, 255);
    EXPECT_EQ(r.err.rfind("pool: --sshloginfile: no login in '" + dir.file("empty") + "'", 0), 0u) << r.err;
    EXPECT_FALSE(path_exists(dir.file("ran")));
}

}  // namespace

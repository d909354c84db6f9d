// Test helpers shared by every suite: running a command with captured output and a
// time limit, finding the demos, and helper children made by re-executing the suite.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <exception>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace mp::test {

struct CommandResult {
    int exit_code = -1;  // valid when signal == 0
    int signal = 0;      // the signal that ended the command, or 0
    bool timed_out = false;
    std::string out;
    std::string err;
};

// Runs argv (no shell) with `input` on stdin, capturing stdout and stderr. A command
// still running after `limit` is killed (with its process group) and reported as
// timed out, so a hanging command fails its test instead of hanging the suite.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          std::chrono::milliseconds limit = std::chrono::seconds(60));

// f(item) for every item, `at_once` items at a time on threads of their own; the
// results come in the items' order. For tables of commands that mostly wait (on
// sleeps, timeouts, children): one after another they took tens of seconds. The
// items must not share anything (files, names). The first exception f threw is
// rethrown here, once every thread has ended.
template <class Item, class F>
auto map_at_once(const std::vector<Item>& items, std::size_t at_once, F f) {
    std::vector<decltype(f(items.front()))> results(items.size());
    std::vector<std::exception_ptr> errors(items.size());
    std::atomic<std::size_t> next{0};
    std::vector<std::thread> runners;
    for (std::size_t i = 0; i < at_once && i < items.size(); ++i)
        runners.emplace_back([&] {
            for (std::size_t at; (at = next++) < items.size();) {
                try {
                    results[at] = f(items[at]);
                } catch (...) {
                    errors[at] = std::current_exception();
                }
            }
        });
    for (std::thread& runner : runners) runner.join();
    for (const std::exception_ptr& error : errors)
        if (error) std::rethrow_exception(error);
    return results;
}

// Whether `pid` has exited: no /proc entry, or a zombie (a reparented one may wait a
// while for its new parent to reap it).
bool has_exited(pid_t pid);
// Whether `pid` has exited, polled until `limit`.
bool exits_within(pid_t pid, std::chrono::milliseconds limit);

// Whether `path` names a file, directory or socket (through symlinks).
bool path_exists(const std::string& path);
// Writes `text` to `path`, replacing what was there.
void write_file(const std::string& path, const std::string& text);

// The path of demo `name`: $MP_BIN_DIR/name (the Makefile sets it), else bin/name.
std::string bin_path(const std::string& name);

// A helper child: the running suite re-executed to run a registered function instead
// of the tests (Go's TestHelperProcess pattern). Tests get real misbehaving programs
// without outside scripts.
using HelperMain = std::function<int(const std::vector<std::string>& args)>;

// Registers `body` under `name`; use at namespace scope through MP_TEST_HELPER.
bool register_helper(const std::string& name, HelperMain body);
// The argv that runs helper `name` with `args`.
std::vector<std::string> helper_command(const std::string& name, const std::vector<std::string>& args = {});
// Called first in main(): runs the requested helper and returns its exit code, or
// returns -1 when this run is not a helper run.
int run_helper_if_requested(int argc, char** argv);

// A unique name for a named object of ours, so suites running side by side never
// share one: "mp-test-<pid>-<tag>".
std::string unique_name(const std::string& tag);

}  // namespace mp::test

#define MP_TEST_HELPER_CONCAT2(a, b) a##b
#define MP_TEST_HELPER_CONCAT(a, b) MP_TEST_HELPER_CONCAT2(a, b)
// MP_TEST_HELPER(name) { ... use args, return an exit code ... }
#define MP_TEST_HELPER(name)                                                              \
    static int mp_test_helper_##name(const std::vector<std::string>& args);               \
    [[maybe_unused]] static const bool MP_TEST_HELPER_CONCAT(mp_test_helper_reg_, name) = \
        ::mp::test::register_helper(#name, mp_test_helper_##name);                        \
    static int mp_test_helper_##name([[maybe_unused]] const std::vector<std::string>& args)

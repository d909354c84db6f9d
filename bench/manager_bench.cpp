// ipc's Manager: a dict's set+get from a client process against the raw Unix-socket
// ping-pong of messages of the same size (the limit: two round trips per op), a
// 100,000-item update against its bytes through a socket, and four clients updating
// one key; each against CPython's multiprocessing.Manager (bench/manager_bench.py).
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "bench/harness/harness.hpp"
#include "bench/harness/raw_loops.hpp"
#include "ipc/manager.hpp"

namespace {

using mp::bench::read_exactly;
using mp::bench::write_exactly;
using mp::ipc::Object;

constexpr std::size_t kMessage = 64;  // about a set request's size on the wire
constexpr std::size_t kOps = 10000;
constexpr std::size_t kUpdateItems = 100000;
// A round of ours takes 2 ms: more rounds than the default, so that the ratio is
// not a median of a few rounds each disturbed by the CPython round before it.
constexpr int kUpdateRounds = 15;
constexpr int kClients = 4;
constexpr std::size_t kModifiesPerClient = 5000;

// Runs `body` in `n` forked processes at once and reaps them; exits on a failure.
void in_children(int n, const std::function<void()>& body) {
    std::fflush(nullptr);
    std::vector<pid_t> pids;
    for (int i = 0; i < n; ++i) {
        const pid_t pid = fork();
        if (pid == 0) {
            body();
            _exit(0);
        }
        pids.push_back(pid);
    }
    for (const pid_t pid : pids) {
        int status = 0;
        waitpid(pid, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            std::fprintf(stderr, "manager_bench: a client process failed\n");
            std::exit(1);
        }
    }
}

// A client process sends `2n` messages to an echo process and reads each back: the
// echo side runs in a process of its own, as the Manager's server does.
void raw_set_get(std::size_t n) {
    int s[2];
    socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s);
    std::fflush(nullptr);
    const pid_t echo = fork();
    if (echo == 0) {
        close(s[1]);
        char message[kMessage];
        for (std::size_t i = 0; i < 2 * n; ++i) {
            read_exactly(s[0], message, sizeof message);
            (void)!write(s[0], message, sizeof message);
        }
        _exit(0);
    }
    close(s[0]);
    in_children(1, [&] {
        char message[kMessage] = {};
        for (std::size_t i = 0; i < 2 * n; ++i) {
            (void)!write(s[1], message, sizeof message);
            read_exactly(s[1], message, sizeof message);
        }
    });
    close(s[1]);
    waitpid(echo, nullptr, 0);
}

// The limit of an update: the same bytes as its request, written to a Unix socket
// that a process of its own reads whole and acknowledges with one byte; no decoding.
class RawSink {
public:
    explicit RawSink(std::size_t message_size) {
        int s[2];
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, s);
        std::fflush(nullptr);
        pid_ = fork();
        if (pid_ == 0) {
            close(s[1]);
            std::vector<char> message(message_size);
            char ack = 0;
            while (mp::bench::read_next(s[0], message.data(), message_size)) (void)!write(s[0], &ack, 1);
            _exit(0);
        }
        close(s[0]);
        fd_ = s[1];
    }
    RawSink(const RawSink&) = delete;
    RawSink& operator=(const RawSink&) = delete;
    ~RawSink() {
        close(fd_);
        waitpid(pid_, nullptr, 0);
    }
    void send(const std::vector<std::byte>& message) const {
        write_exactly(fd_, message.data(), message.size());
        char ack;
        read_exactly(fd_, &ack, 1);
    }

private:
    pid_t pid_ = -1;
    int fd_ = -1;
};

void add_one(Object& value) { value = value.as_int() + 1; }

}  // namespace

int main() {
    using namespace mp::bench;
    mp::ipc::Manager manager;
    mp::ipc::DictProxy d = manager.dict();

    Table latency("ipc Manager: one client process (time per operation)");
    latency.add({.scenario = "dict set + get from a child",
                 .times = measure(kOps, {.ours =
                                             [&] {
                                                 in_children(1, [&] {
                                                     for (std::size_t i = 0; i < kOps; ++i) {
                                                         d.set("key", static_cast<std::int64_t>(i));
                                                         (void)d.get("key");
                                                     }
                                                 });
                                             },
                                         .raw = [] { raw_set_get(kOps); },
                                         .cpython = Python{"manager_bench.py", "set_get", kOps / 10}}),
                 .targets = {{Ratio::ours_raw, 1.3}, {Ratio::ours_cpython, 0.05}},
                 .note = "raw: two 64-byte round trips to an echo process"});

    mp::ipc::Dict items;
    for (std::size_t i = 0; i < kUpdateItems; ++i) items.set(static_cast<std::int64_t>(i), static_cast<std::int64_t>(i));
    std::vector<std::byte> encoded;
    mp::ipc::Encoder encoder(encoded);
    encoder.write(items);
    const RawSink sink(encoded.size());
    latency.add(
        {.scenario = "dict update of 100,000 items (per item)",
         .times = measure(kUpdateItems, {.ours =
                                             [&] {
                                                 mp::ipc::DictProxy fresh = manager.dict();  // as CPython's round
                                                 fresh.update(items);
                                             },
                                         .raw = [&] { sink.send(encoded); },
                                         .cpython = Python{"manager_bench.py", "update", kUpdateItems}},
                          kUpdateRounds),
         .targets = {{Ratio::ours_cpython, 0.02}},
         .note = "each round: a new dict, then update; CPython also builds its dict in the round; raw: the "
                 "request's bytes through a socket, read whole, no decoding; 15 rounds"});
    latency.print();

    Table contention("ipc Manager: four client processes updating one key (time per update)");
    mp::ipc::DictProxy counter = manager.dict();
    contention.add(
        {.scenario = "modify(key, add_one) x 4 clients",
         .times = measure(
             kClients * kModifiesPerClient,
             {.ours =
                  [&] {
                      counter.set("count", 0);
                      in_children(kClients, [&] {
                          for (std::size_t i = 0; i < kModifiesPerClient; ++i)
                              (void)counter.modify("count", add_one);
                      });
                      if (counter.get("count") != Object(kClients * kModifiesPerClient)) {
                          std::fprintf(stderr, "manager_bench: an update was lost\n");
                          std::exit(1);
                      }
                  },
              .raw = {},
              .cpython = Python{"manager_bench.py", "locked_increment", kClients * kModifiesPerClient / 10}}),
         .targets = {},
         .note = "the count is checked exact; CPython: d['count'] += 1 under a manager Lock"});
    contention.print();
}

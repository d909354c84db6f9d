// ipc: Connection latency and throughput, and Queue item rates, between two
// processes; each against the raw syscall loop doing the same job and against
// CPython's multiprocessing (bench/ipc_bench.py).
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bench/harness/harness.hpp"
#include "bench/harness/raw_loops.hpp"
#include "ipc/ipc.hpp"

namespace {

using mp::bench::Placement;
using mp::bench::read_exactly;
using mp::bench::with_child;
using mp::ipc::Connection;

constexpr std::size_t kSmall = 64;
constexpr std::size_t kLarge = 64 * 1024;
constexpr std::size_t kRoundTrips = 20000;
constexpr std::size_t kLargeMessages = 16000;
constexpr std::size_t kItems = 200000;

// Two one-way channels (a, b): a carries parent -> child, b child -> parent.
struct RawChannels {
    int parent_out, child_in, child_out, parent_in;
};

RawChannels raw_channels(bool socket) {
    int a[2], b[2];
    if (socket) {
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, a);
        return {a[0], a[1], a[1], a[0]};
    }
    pipe2(a, O_CLOEXEC);
    pipe2(b, O_CLOEXEC);
    return {a[1], a[0], b[1], b[0]};
}

void close_channels(const RawChannels& c) {
    for (const int fd : {c.parent_out, c.child_in, c.child_out, c.parent_in}) close(fd);
}

void raw_ping_pong(bool socket, std::size_t n) {
    const RawChannels c = raw_channels(socket);
    with_child(
        [&] {
            char buffer[kSmall];
            for (std::size_t i = 0; i < n; ++i) {
                read_exactly(c.child_in, buffer, kSmall);
                (void)!write(c.child_out, buffer, kSmall);
            }
        },
        [&] {
            char buffer[kSmall] = {};
            for (std::size_t i = 0; i < n; ++i) {
                (void)!write(c.parent_out, buffer, kSmall);
                read_exactly(c.parent_in, buffer, kSmall);
            }
        });
    close_channels(c);
}

// Ours: a duplex Pipe (socketpair), or two one-way Pipes.
void ours_ping_pong(bool socket, std::size_t n) {
    auto [a_in, a_out] = mp::ipc::Pipe(socket);
    auto [b_in, b_out] = socket ? std::pair<Connection, Connection>{} : mp::ipc::Pipe(false);
    Connection& parent_out = socket ? a_in : a_out;
    Connection& child_in = socket ? a_out : a_in;
    Connection& child_out = socket ? a_out : b_out;
    Connection& parent_in = socket ? a_in : b_in;
    with_child(
        [&] {
            std::vector<std::byte> message;
            for (std::size_t i = 0; i < n; ++i) {
                child_in.recv_bytes_into(message);
                child_out.send_bytes(message);
            }
        },
        [&] {
            std::vector<std::byte> message(kSmall);
            for (std::size_t i = 0; i < n; ++i) {
                parent_out.send_bytes(message);
                parent_in.recv_bytes_into(message);
            }
        });
}

// The raw one-way loop: `n` writes of `size` bytes to a pipe (or a socketpair),
// read back in pieces of the same size.
void raw_one_way(std::size_t n, std::size_t size, bool socket = false) {
    int p[2];
    if (socket) {
        socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, p);
    } else {
        pipe2(p, O_CLOEXEC);
    }
    with_child(
        [&] {
            close(p[0]);
            const std::vector<char> block(size, 'x');
            for (std::size_t i = 0; i < n; ++i) (void)!write(p[1], block.data(), size);
        },
        [&] {
            close(p[1]);
            std::vector<char> block(size);
            for (std::size_t i = 0; i < n; ++i) read_exactly(p[0], block.data(), size);
        },
        Placement::own_cpus);
    close(p[0]);
}

void ours_stream(std::size_t n, bool socket) {
    auto [reader, writer] = mp::ipc::Pipe(socket);
    with_child(
        [&] {
            reader.close();
            const std::vector<std::byte> block(kLarge, std::byte{'x'});
            for (std::size_t i = 0; i < n; ++i) writer.send_bytes(block);
        },
        [&] {
            writer.close();
            std::vector<std::byte> block;
            for (std::size_t i = 0; i < n; ++i) reader.recv_bytes_into(block);
        },
        Placement::own_cpus);
}

template <class T>
void ours_queue(std::size_t n, const T& item) {
    mp::ipc::Queue<T> queue;
    with_child(
        [&] {
            for (std::size_t i = 0; i < n; ++i) queue.put(item);
        },
        [&] {
            for (std::size_t i = 0; i < n; ++i) (void)queue.get();
        },
        Placement::own_cpus);
}

}  // namespace

int main() {
    using namespace mp::bench;
    const std::vector<Target> latency_target{{Ratio::ours_raw, 1.3}};
    Table latency("ipc: 64-byte ping-pong round trip between two processes");
    latency.add({.scenario = "socketpair round trip",
                 .times = measure(kRoundTrips, {.ours = [] { ours_ping_pong(true, kRoundTrips); },
                                                .raw = [] { raw_ping_pong(true, kRoundTrips); },
                                                .cpython = Python{"ipc_bench.py", "pingpong", kRoundTrips}}),
                 .targets = latency_target,
                 .note = ""});
    latency.add(
        {.scenario = "pipe pair round trip",
         .times = measure(kRoundTrips, {.ours = [] { ours_ping_pong(false, kRoundTrips); },
                                        .raw = [] { raw_ping_pong(false, kRoundTrips); },
                                        .cpython = Python{"ipc_bench.py", "pingpong_pipe", kRoundTrips}}),
         .targets = latency_target,
         .note = ""});
    latency.print();

    // >= 0.9x the raw loop's throughput.
    const std::vector<Target> throughput_target{{Ratio::ours_raw, 1 / 0.9}};
    Table throughput("ipc: 64 KiB messages one way (time per message)");
    throughput.add({.scenario = "64 KiB over a socketpair",
                    .times = measure(kLargeMessages,
                                     {.ours = [] { ours_stream(kLargeMessages, true); },
                                      .raw = [] { raw_one_way(kLargeMessages, kLarge, true); },
                                      .cpython = Python{"ipc_bench.py", "stream_socket", kLargeMessages}}),
                    .targets = throughput_target,
                    .note = ""});
    throughput.add(
        {.scenario = "64 KiB through a pipe",
         .times = measure(kLargeMessages, {.ours = [] { ours_stream(kLargeMessages, false); },
                                           .raw = [] { raw_one_way(kLargeMessages, kLarge); },
                                           .cpython = Python{"ipc_bench.py", "stream", kLargeMessages}}),
         .targets = throughput_target,
         .note = ""});
    throughput.print();

    const std::vector<Target> queue_targets{{Ratio::ours_raw, 0.5}, {Ratio::ours_cpython, 0.033}};
    Table queue("ipc: Queue items from one process to another (time per item)");
    queue.add({.scenario = "Queue<int>",
               .times = measure(kItems, {.ours = [] { ours_queue(kItems, 42); },
                                         .raw = [] { raw_one_way(kItems, kSmall); },
                                         .cpython = Python{"ipc_bench.py", "queue_int", kItems / 10}}),
               .targets = queue_targets,
               .note = "raw: 64-byte records through a pipe"});
    queue.add({.scenario = "Queue<string> of 64 bytes",
               .times = measure(kItems, {.ours = [] { ours_queue(kItems, std::string(kSmall, 's')); },
                                         .raw = [] { raw_one_way(kItems, kSmall); },
                                         .cpython = Python{"ipc_bench.py", "queue_str64", kItems / 10}}),
               .targets = queue_targets,
               .note = "raw: 64-byte records through a pipe"});
    queue.print();
}

// `ipc bench`: ping-pong latency and one-way throughput between two processes.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <span>
#include <vector>

#include "bin/ipc_commands.hpp"
#include "ipc/ipc.hpp"

namespace mp::tools::ipc {
namespace {

using Clock = std::chrono::steady_clock;
using Bytes = std::vector<std::byte>;

// One process's view of the transport: send to the peer, receive from it.
struct Side {
    std::function<void(std::span<const std::byte>)> send;
    std::function<void(Bytes&)> recv;
};

struct Link {
    Side parent;
    Side child;
};

Link connect(Transport transport, std::size_t size) {
    switch (transport) {
        case Transport::socketpair: {
            auto [a, b] = mp::ipc::Pipe(true);
            auto p = std::make_shared<mp::ipc::Connection>(std::move(a));
            auto c = std::make_shared<mp::ipc::Connection>(std::move(b));
            return {{[p](auto m) { p->send_bytes(m); }, [p](Bytes& m) { p->recv_bytes_into(m); }},
                    {[c](auto m) { c->send_bytes(m); }, [c](Bytes& m) { c->recv_bytes_into(m); }}};
        }
        case Transport::pipe: {
            auto [down_in, down_out] = mp::ipc::Pipe(false);
            auto [up_in, up_out] = mp::ipc::Pipe(false);
            auto di = std::make_shared<mp::ipc::Connection>(std::move(down_in));
            auto dout = std::make_shared<mp::ipc::Connection>(std::move(down_out));
            auto ui = std::make_shared<mp::ipc::Connection>(std::move(up_in));
            auto uout = std::make_shared<mp::ipc::Connection>(std::move(up_out));
            return {{[dout](auto m) { dout->send_bytes(m); }, [ui](Bytes& m) { ui->recv_bytes_into(m); }},
                    {[uout](auto m) { uout->send_bytes(m); }, [di](Bytes& m) { di->recv_bytes_into(m); }}};
        }
        case Transport::queue:
        default: {
            // Room for a few messages in flight, whatever their size.
            const std::size_t capacity = std::max<std::size_t>(std::size_t{1} << 20, 4 * (size + 16));
            auto down = std::make_shared<mp::ipc::Queue<Bytes>>(0, capacity);
            auto up = std::make_shared<mp::ipc::Queue<Bytes>>(0, capacity);
            auto put = [](const std::shared_ptr<mp::ipc::Queue<Bytes>>& q) {
                return [q](std::span<const std::byte> m) { q->put(Bytes(m.begin(), m.end())); };
            };
            auto get = [](const std::shared_ptr<mp::ipc::Queue<Bytes>>& q) { return [q](Bytes& m) { m = q->get(); }; };
            return {{put(down), get(up)}, {put(up), get(down)}};
        }
    }
}

const char* name_of(Transport t) {
    return t == Transport::pipe ? "pipe" : t == Transport::socketpair ? "socketpair" : "queue";
}

std::string human_time(double seconds) {
    char text[32];
    if (seconds < 1e-6) std::snprintf(text, sizeof text, "%.0f ns", seconds * 1e9);
    else if (seconds < 1e-3) std::snprintf(text, sizeof text, "%.2f us", seconds * 1e6);
    else std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
    return text;
}

}  // namespace

int bench_command(const BenchOptions& options) {
    const Link link = connect(options.transport, options.size);
    const pid_t child = spawn([&] {
        Bytes message;
        for (std::size_t i = 0; i < options.count; ++i) {
            link.child.recv(message);
            link.child.send(message);
        }
        link.child.recv(message);  // the start of the one-way phase
        const Bytes block(options.size, std::byte{'x'});
        for (std::size_t i = 0; i < options.count; ++i) link.child.send(block);
    });

    Bytes message(options.size, std::byte{'p'});
    std::vector<double> round_trips(options.count);
    for (double& seconds : round_trips) {
        const auto start = Clock::now();
        link.parent.send(message);
        link.parent.recv(message);
        seconds = std::chrono::duration<double>(Clock::now() - start).count();
    }
    const auto start = Clock::now();
    link.parent.send(message);
    for (std::size_t i = 0; i < options.count; ++i) link.parent.recv(message);
    const double one_way = std::chrono::duration<double>(Clock::now() - start).count();
    if (!reap(child)) return 1;

    std::sort(round_trips.begin(), round_trips.end());
    const double median = round_trips[round_trips.size() / 2];
    const double p99 = round_trips[std::min(round_trips.size() - 1, round_trips.size() * 99 / 100)];
    const double per_second = static_cast<double>(options.count) / one_way;
    std::printf("%-11s %10s %9s %12s %12s %14s %10s\n", "transport", "size", "count", "rtt median", "rtt p99",
                "one-way msg/s", "MB/s");
    std::printf("%-11s %10zu %9zu %12s %12s %14.0f %10.1f\n", name_of(options.transport), options.size,
                options.count, human_time(median).c_str(), human_time(p99).c_str(), per_second,
                per_second * static_cast<double>(options.size) / 1e6);
    return 0;
}

}  // namespace mp::tools::ipc

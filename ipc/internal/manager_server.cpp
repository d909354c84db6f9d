#include "ipc/internal/manager_server.hpp"

#include <fcntl.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ipc/connection.hpp"
#include "ipc/internal/manager_auth.hpp"
#include "ipc/internal/manager_protocol.hpp"
#include "ipc/internal/manager_socket.hpp"
#include "ipc/internal/manager_store.hpp"
#include "sync/errors.hpp"
#include "sync/internal/deadline.hpp"

namespace mp::ipc::internal {

namespace {

using namespace std::chrono_literals;

// How often a call waiting in the server checks that its client is still there: a
// dead client's wait ends (a barrier it waited at breaks for the others) within it.
constexpr auto kLivenessCheck = 50ms;

// The client of a waiting call left, or the server stops: its connection ends
// without a reply (the client, if alive, gets ManagerError).
struct Abandoned : std::exception {};

int g_term_pipe_write = -1;  // SIGTERM writes here, so the accept loop wakes up

void on_sigterm(int) {
    const char byte = 1;
    [[maybe_unused]] const auto ignored = ::write(g_term_pipe_write, &byte, 1);
}

Reply reply_for_current_exception() {
    try {
        throw;
    } catch (const KeyError& e) {
        return {Status::key_error, None{}, e.what()};
    } catch (const IndexError& e) {
        return {Status::index_error, None{}, e.what()};
    } catch (const sync::ValueError& e) {
        return {Status::value_error, None{}, e.what()};
    } catch (const TypeError& e) {
        return {Status::type_error, None{}, e.what()};
    } catch (const AttributeError& e) {
        return {Status::attribute_error, None{}, e.what()};
    } catch (const sync::BrokenBarrierError& e) {
        return {Status::broken_barrier, None{}, e.what()};
    } catch (const NotOwner& e) {
        return {Status::not_owner, None{}, e.what()};
    } catch (const std::exception& e) {
        return {Status::error, None{}, e.what()};
    }
}

class Server {
public:
    explicit Server(std::vector<std::byte> authkey) : authkey_(std::move(authkey)) {}

    void start_client(Fd fd) {
        join_finished();
        std::lock_guard lock(clients_mutex_);
        const int raw = fd.get();
        const std::uint64_t id = next_client_++;
        open_fds_[id] = raw;
        threads_.emplace(id, std::thread([this, id, owned = std::move(fd)]() mutable { run_client(id, std::move(owned)); }));
    }

    // Wakes every client thread (their reads and waits end) and waits for them.
    void stop_clients() {
        {
            std::lock_guard lock(store_mutex_);
            stopping_ = true;
        }
        changed_.notify_all();
        std::unordered_map<std::uint64_t, std::thread> threads;
        {
            std::lock_guard lock(clients_mutex_);
            for (const auto& [id, fd] : open_fds_) ::shutdown(fd, SHUT_RDWR);
            threads.swap(threads_);
        }
        for (auto& [id, t] : threads) t.join();
    }

private:
    // The threads of clients that left, joined so a long-lived server does not
    // collect them.
    void join_finished() {
        std::vector<std::thread> done;
        {
            std::lock_guard lock(clients_mutex_);
            for (const std::uint64_t id : finished_) {
                done.push_back(std::move(threads_.at(id)));
                threads_.erase(id);
            }
            finished_.clear();
        }
        for (auto& t : done) t.join();
    }

    void run_client(std::uint64_t id, Fd fd) {
        try {
            Connection connection(std::move(fd));
            bool same_program = false;
            if (accept_client(connection, authkey_, same_program, kHandshakePatience)) serve_requests(id, connection, same_program);
        } catch (const std::exception&) {
            // The client went away or sent garbage: only its connection ends.
        }
        {
            std::lock_guard store_lock(store_mutex_);
            if (store_.drop_client(id)) changed_.notify_all();
        }
        std::lock_guard lock(clients_mutex_);
        open_fds_.erase(id);
        finished_.push_back(id);
    }

    void serve_requests(std::uint64_t id, Connection& connection, bool same_program) {
        for (;;) {
            Request request = connection.recv<Request>();  // EOFError or DecodeError ends the client
            Reply reply;
            {
                std::unique_lock lock(store_mutex_);
                try {
                    switch (request.kind) {
                        case RequestKind::incref:
                            store_.incref(id, request.object);
                            break;
                        case RequestKind::decref:
                            store_.decref(id, request.object);
                            continue;
                        case RequestKind::create:
                            if (request.code > static_cast<std::uint8_t>(StoredKind::last) || request.args.empty())
                                throw TypeError("ipc: Manager: a malformed create request");
                            reply.value = request.args.size() > 1
                                              ? store_.open_named(id, static_cast<StoredKind>(request.code),
                                                                  request.args[1].as_string(), request.args[0])
                                              : store_.create(id, static_cast<StoredKind>(request.code), request.args[0]);
                            break;
                        case RequestKind::call:
                            if (request.code > static_cast<std::uint8_t>(Method::last))
                                throw TypeError("ipc: Manager: an unknown method");
                            reply.value = run_call(lock, id, connection, request, same_program);
                            break;
                    }
                } catch (const Abandoned&) {
                    throw;
                } catch (...) {
                    if (request.kind == RequestKind::decref) continue;
                    reply = reply_for_current_exception();
                }
            }
            connection.send(reply);
        }
    }

    // Attempts the call until it answers; in between, waits for a change by another
    // client (without the store's lock), for the timeout, or for the next liveness
    // check of this client.
    Object run_call(std::unique_lock<std::mutex>& lock, std::uint64_t id, const Connection& connection,
                    Request& request, bool same_program) {
        const auto method = static_cast<Method>(request.code);
        // Every call of a waitable's method may change what another call waits for.
        const bool waitable = method >= Method::queue_put;
        struct NotifyAtEnd {
            std::condition_variable& changed;
            bool on;
            ~NotifyAtEnd() {
                if (on) changed.notify_all();
            }
        } notify{changed_, waitable};
        const bool bounded = request.timeout_ns != kNoTimeout;
        const auto deadline = bounded ? sync::internal::deadline_after(std::chrono::nanoseconds(request.timeout_ns))
                                      : sync::internal::kNoDeadline;
        bool expired = bounded && request.timeout_ns <= 0;
        WaitState state;
        for (;;) {
            if (std::optional<Object> result = store_.call(Caller{id, request.owner}, request.object, method, request.args,
                                                           same_program, expired, state))
                return std::move(*result);
            if (stopping_ || peer_left(connection)) {
                store_.abandon(request.object, state);
                throw Abandoned{};
            }
            const auto check = std::chrono::steady_clock::now() + kLivenessCheck;
            changed_.wait_until(lock, expired ? check : std::min(check, deadline));
            expired = expired || std::chrono::steady_clock::now() >= deadline;
        }
    }

    // While its call waits, a client sends nothing: anything readable on its socket
    // is its end (or a protocol violation, which ends it too).
    static bool peer_left(const Connection& connection) {
        pollfd fd{connection.fileno(), POLLIN | POLLRDHUP, 0};
        return ::poll(&fd, 1, 0) != 0;
    }

    const std::vector<std::byte> authkey_;
    std::mutex store_mutex_;
    ManagerStore store_;
    std::condition_variable changed_;  // a waitable changed, or a client's holds were released
    bool stopping_ = false;            // under store_mutex_
    std::mutex clients_mutex_;
    std::uint64_t next_client_ = 1;
    std::unordered_map<std::uint64_t, int> open_fds_;
    std::unordered_map<std::uint64_t, std::thread> threads_;
    std::vector<std::uint64_t> finished_;  // clients whose thread ended, to join
};

// Memory freed by one request is kept for the next: each call of a big update
// decodes into fresh memory, and faulting fresh pages in cost 15x the work on the
// items (an update of 100,000: ~300 ns an item on fresh pages, ~20 on reused ones).
// Up to kKeptFreeMemory stays with the server after a burst.
void keep_freed_memory() {
#ifdef __GLIBC__
    constexpr int kKeptFreeMemory = 64 << 20;
    ::mallopt(M_MMAP_THRESHOLD, kKeptFreeMemory);
    ::mallopt(M_TRIM_THRESHOLD, kKeptFreeMemory);
#endif
}

}  // namespace

void serve(ServerSetup setup) {
    keep_freed_memory();
    // Ctrl-C reaches the whole process group: the Manager's process decides, and its
    // end reaches us through the watch pipe (as Python's server ignores SIGINT).
    ::signal(SIGINT, SIG_IGN);
    ::signal(SIGPIPE, SIG_IGN);
    int term_pipe[2];
    if (::pipe2(term_pipe, O_CLOEXEC) == 0) {
        g_term_pipe_write = term_pipe[1];
        struct sigaction action {};
        action.sa_handler = on_sigterm;
        ::sigaction(SIGTERM, &action, nullptr);
    }
    // The program may have blocked SIGTERM (to sigwait for it, say) before the fork:
    // shutdown() relies on it here.
    sigset_t term;
    sigemptyset(&term);
    sigaddset(&term, SIGTERM);
    ::pthread_sigmask(SIG_UNBLOCK, &term, nullptr);
    Server server(std::move(setup.authkey));
    // The end first (the watch pipe, SIGTERM), then the listeners.
    std::vector<pollfd> fds = {{setup.watch.get(), POLLIN, 0}, {term_pipe[0], POLLIN, 0}};
    for (const Fd& listener : setup.listeners) fds.push_back({listener.get(), POLLIN, 0});
    for (;;) {
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        if (fds[0].revents != 0 || fds[1].revents != 0) break;  // shutdown, the Manager died, or SIGTERM
        for (std::size_t i = 2; i < fds.size(); ++i) {
            if (!(fds[i].revents & POLLIN)) continue;
            const int client = ::accept4(fds[i].fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            tune_accepted(client);
            server.start_client(Fd(client));
        }
    }
    setup.listeners.clear();
    ::unlink(setup.socket_path.c_str());
    if (!setup.directory.empty()) ::rmdir(setup.directory.c_str());
    server.stop_clients();
    std::fflush(nullptr);
    ::_exit(0);
}

}  // namespace mp::ipc::internal

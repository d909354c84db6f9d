// `ipc tour`: the classic multiprocessing examples, replayed with real processes.
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <pthread.h>

#include <chrono>
#include <cstdio>
#include <optional>
#include <string>
#include <thread>
#include <tuple>

#include "bin/ipc_commands.hpp"
#include "ipc/ipc.hpp"

namespace mp::tools::ipc {
namespace {

using namespace std::chrono_literals;

// printf, then flush: children print too, and nothing may wait in a buffer.
template <class... Args>
void say(const char* format, Args... args) {
    std::printf(format, args...);
    std::fflush(stdout);
}

void heading(const char* title) { say("\n-- %s\n", title); }

// A process-shared lock for the first example (mp::sync has the real one; the
// tour keeps ipc's demo to ipc).
class PrintLock {
public:
    PrintLock() {
        void* memory = mmap(nullptr, sizeof(pthread_mutex_t), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (memory == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
        mutex_ = static_cast<pthread_mutex_t*>(memory);
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutex_init(mutex_, &attr);
        pthread_mutexattr_destroy(&attr);
    }
    ~PrintLock() { munmap(mutex_, sizeof(pthread_mutex_t)); }
    void lock() { pthread_mutex_lock(mutex_); }
    void unlock() { pthread_mutex_unlock(mutex_); }

private:
    pthread_mutex_t* mutex_ = nullptr;
};

void writer_and_reader_share_a_queue_and_a_lock() {
    heading("a writer and a reader share a Queue and a Lock");
    mp::ipc::Queue<std::string> queue;
    PrintLock lock;
    const pid_t writer = spawn([&] {
        for (const char* word : {"spam", "eggs", "ham"}) {
            lock.lock();
            say("writer: put %s\n", word);
            queue.put(word);
            lock.unlock();
        }
        queue.put("STOP");
    });
    const pid_t reader = spawn([&] {
        for (std::string word = queue.get(); word != "STOP"; word = queue.get()) {
            lock.lock();
            say("reader: got %s\n", word.c_str());
            lock.unlock();
        }
    });
    reap(writer);
    reap(reader);
}

void pipe_send_recv() {
    heading("Pipe: the child sends [42, None, 'hello'], the parent receives it");
    auto [parent_conn, child_conn] = mp::ipc::Pipe();
    const pid_t child = spawn([&] {
        parent_conn.close();
        child_conn.send(std::tuple<int, std::optional<int>, std::string>{42, std::nullopt, "hello"});
        child_conn.close();
    });
    child_conn.close();
    const auto [number, nothing, text] = parent_conn.recv<std::tuple<int, std::optional<int>, std::string>>();
    say("parent: received [%d, %s, '%s']\n", number, nothing ? "?" : "None", text.c_str());
    reap(child);
}

void duplex_pipe_in_turns() {
    heading("one duplex Pipe, used from both ends by four processes in turn");
    auto [left, right] = mp::ipc::Pipe();
    // Each process runs alone: two processes using one end at once would mix frames.
    auto turn = [](const char* who, mp::ipc::Connection& end, bool receive_first, int send_value) {
        reap(spawn([&] {
            if (receive_first) say("%s: received %d on its end\n", who, end.recv<int>());
            if (send_value != 0) {
                end.send(send_value);
                say("%s: sent %d\n", who, send_value);
            }
        }));
    };
    turn("process 1 (left end) ", left, false, 1);
    turn("process 2 (right end)", right, true, 2);
    turn("process 3 (left end) ", left, true, 3);
    turn("process 4 (right end)", right, true, 0);
}

void socketpair_and_fd_passing() {
    heading("socketpair: adopt raw socket fds, talk, and pass a descriptor");
    int fds[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
        throw std::system_error(errno, std::generic_category(), "socketpair");
    mp::ipc::Connection parent{mp::ipc::Fd(fds[0])};
    mp::ipc::Connection child_end{mp::ipc::Fd(fds[1])};
    const pid_t child = spawn([&] {
        parent.close();
        child_end.send(std::string("hello from the child"));
        say("child: %s\n", child_end.recv<std::string>().c_str());
        const mp::ipc::Fd out = child_end.recv_fd();
        const char line[] = "child: this line went through a descriptor the parent passed\n";
        (void)!write(out.get(), line, sizeof line - 1);
    });
    child_end.close();
    say("parent: %s\n", parent.recv<std::string>().c_str());
    parent.send(std::string("hello back from the parent"));
    parent.send_fd(STDOUT_FILENO);
    reap(child);
}

void two_writers_one_reader_with_qsize() {
    heading("two writers, one reader, and qsize()");
    mp::ipc::Queue<int> queue;
    const pid_t a = spawn([&] {
        for (int i = 0; i < 5; ++i) queue.put(100 + i);
    });
    const pid_t b = spawn([&] {
        for (int i = 0; i < 5; ++i) queue.put(200 + i);
    });
    reap(a);
    reap(b);
    say("parent: both writers done, qsize() = %zu\n", queue.qsize());
    const pid_t reader = spawn([&] {
        int sum = 0;
        for (int i = 0; i < 10; ++i) sum += queue.get();
        say("reader: got 10 items, sum %d\n", sum);
    });
    reap(reader);
    say("parent: qsize() = %zu, empty() = %s\n", queue.qsize(), queue.empty() ? "true" : "false");
}

void full_queue_blocks_put() {
    heading("a full Queue(maxsize=3): put blocks, put(timeout) fails");
    mp::ipc::Queue<int> queue(3);
    for (int i = 1; i <= 3; ++i) queue.put(i);
    say("parent: put 1, 2, 3; full() = %s\n", queue.full() ? "true" : "false");
    try {
        queue.put(4, 200ms);
    } catch (const mp::ipc::QueueFull&) {
        say("parent: put(4, timeout=0.2s) raised QueueFull\n");
    }
    const pid_t child = spawn([&] {
        say("child: put(4) blocks...\n");
        queue.put(4);
        say("child: ...put(4) returned once the parent made room\n");
    });
    std::this_thread::sleep_for(300ms);  // let the child block for all to see
    say("parent: get() -> %d\n", queue.get());
    reap(child);
    say("parent: the queue now holds");
    while (!queue.empty()) say(" %d", queue.get());
    say("\n");
}

}  // namespace

int tour_command() {
    writer_and_reader_share_a_queue_and_a_lock();
    pipe_send_recv();
    duplex_pipe_in_turns();
    socketpair_and_fd_passing();
    two_writers_one_reader_with_qsize();
    full_queue_blocks_put();
    manager_tour();
    return 0;
}

}  // namespace mp::tools::ipc

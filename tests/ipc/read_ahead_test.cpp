// Connection's read-ahead and pipe sizing: frames of every size in one stream, a
// frame split across reads, the tail of a payload sharing a read with the next
// header, descriptors among large frames, and pipes whose buffer could not grow.
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <exception>
#include <functional>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "ipc/connection.hpp"
#include "ipc/internal/io.hpp"
#include "tests/ipc/child.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::Connection;
using mp::ipc::Pipe;

// Payload `index` of a test stream: bytes no other frame of the stream has at the
// same offset, so a lost, doubled or shifted byte shows.
std::vector<std::byte> payload(std::size_t index, std::size_t size) {
    std::vector<std::byte> bytes(size);
    for (std::size_t j = 0; j < size; ++j) bytes[j] = static_cast<std::byte>((index * 31 + j) % 251);
    return bytes;
}

// A frame as it travels: the 8-byte length, then the payload.
std::vector<std::byte> framed(const std::vector<std::byte>& body) {
    const std::uint64_t length = body.size();
    std::vector<std::byte> frame(8 + body.size());
    std::memcpy(frame.data(), &length, 8);
    std::copy(body.begin(), body.end(), frame.begin() + 8);
    return frame;
}

// Blocks until nothing is left unread on `fd` (the reader took it all).
void wait_until_drained(int fd) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    int unread = 0;
    while (ioctl(fd, FIONREAD, &unread) == 0 && unread > 0) {
        ASSERT_LT(std::chrono::steady_clock::now(), deadline) << "the reader stopped reading";
        std::this_thread::yield();
    }
}

// Runs `body` on a thread that is joined by join() or at the end of the scope.
// When the test leaves early on an exception, `reader` is closed first, so that a
// writer blocked on it fails instead of hanging; the writer's errors are dropped
// (the reader's assertions tell what went wrong), and SIGPIPE is blocked in it.
class Writer {
public:
    Writer(Connection& reader, std::function<void()> body)
        : reader_(reader), thread_([body = std::move(body)] {
              sigset_t sigpipe;
              sigemptyset(&sigpipe);
              sigaddset(&sigpipe, SIGPIPE);
              pthread_sigmask(SIG_BLOCK, &sigpipe, nullptr);
              try {
                  body();
              } catch (const std::exception&) {
              }
          }) {}
    Writer(const Writer&) = delete;
    Writer& operator=(const Writer&) = delete;
    ~Writer() {
        if (std::uncaught_exceptions() > 0) reader_.close();
        join();
    }
    void join() {
        if (thread_.joinable()) thread_.join();
    }

private:
    Connection& reader_;
    std::thread thread_;
};

struct Identity {
    dev_t dev;
    ino_t ino;
    bool operator==(const Identity&) const = default;
};
Identity identity_of(int fd) {
    struct stat st {};
    EXPECT_EQ(fstat(fd, &st), 0);
    return {st.st_dev, st.st_ino};
}

class ReadAhead : public ::testing::TestWithParam<bool> {};
INSTANTIATE_TEST_SUITE_P(Connection, ReadAhead, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "socketpair" : "pipe"; });

TEST_P(ReadAhead, FramesOfEverySizeStayApartInOneStream) {
    // Around the 512-byte coalescing limit, the 4 KiB read-ahead, and 64 KiB.
    const std::vector<std::size_t> sizes = {0,    1,    7,     8,     64, 511,   512, 513, 4087,
                                            4088, 4089, 4096,  10000, 3,  65536, 2,   70000, 5};
    auto [reader, writer] = Pipe(GetParam());
    Writer sender(reader, [&, &writer = writer] {
        for (std::size_t i = 0; i < sizes.size(); ++i) {
            writer.send_bytes(payload(i, sizes[i]));
            if (i == 9) writer.send(std::string("typed, in between"));
        }
    });
    std::vector<std::byte> reused;
    std::vector<std::byte> fixed(80000);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
        switch (i % 3) {
            case 0: reader.recv_bytes_into(reused); break;
            case 1: reused.assign(fixed.begin(), fixed.begin() + reader.recv_bytes_into(std::span(fixed))); break;
            default: reused = reader.recv_bytes(); break;
        }
        EXPECT_EQ(reused, payload(i, sizes[i])) << "frame " << i << " of " << sizes[i] << " bytes";
        if (i == 9) {
            EXPECT_EQ(reader.recv<std::string>(), "typed, in between");
        }
    }
    sender.join();
    EXPECT_FALSE(reader.has_buffered_input());
}

TEST_P(ReadAhead, AFrameSplitAcrossReadsAndATailSharingAReadWithTheNextHeader) {
    // One stream of three frames, written in pieces; each piece is read before the
    // next is written, so the receiver meets: half a header; the rest of it with
    // the start of a payload; a payload over several reads; the end of a payload
    // together with a whole frame and half the next header; the rest.
    const auto a = payload(0, 6000);
    const auto b = payload(1, 4);
    const auto c = payload(2, 5);
    std::vector<std::byte> stream = framed(a);
    for (const auto* body : {&b, &c}) {
        const auto frame = framed(*body);
        stream.insert(stream.end(), frame.begin(), frame.end());
    }
    const std::size_t end_of_a = 8 + a.size();
    const std::vector<std::size_t> cuts = {3, 108, end_of_a - 10, end_of_a + 12 + 4, stream.size()};
    auto [reader, writer] = Pipe(GetParam());
    Writer pieces(reader, [&, &reader = reader, &writer = writer] {
        std::size_t from = 0;
        for (const std::size_t to : cuts) {
            ASSERT_EQ(write(writer.fileno(), stream.data() + from, to - from), static_cast<ssize_t>(to - from));
            wait_until_drained(reader.fileno());
            from = to;
        }
    });
    EXPECT_EQ(reader.recv_bytes(), a);
    EXPECT_TRUE(reader.has_buffered_input()) << "frame b came with the end of frame a";
    std::vector<std::byte> into;
    reader.recv_bytes_into(into);
    EXPECT_EQ(into, b);
    reader.recv_bytes_into(into);
    EXPECT_EQ(into, c);
    pieces.join();
}

TEST(ReadAhead, DescriptorsStayWithTheirFramesAroundLargeFrames) {
    // A descriptor travels with its frame's header, which may arrive in the same
    // read as the tail of a large payload: it must still be the one recv_fd returns
    // for that frame, not for another, and not lost.
    int first[2];
    int second[2];
    ASSERT_EQ(pipe2(first, O_CLOEXEC), 0);
    ASSERT_EQ(pipe2(second, O_CLOEXEC), 0);
    auto [a, b] = Pipe();
    Writer sender(b, [&, &a = a] {
        a.send_bytes(payload(0, 5000));  // refused by recv_fd: dropped through the read-ahead
        a.send_bytes(payload(1, 5000));
        a.send_fd(first[1]);
        a.send(std::string("between"));
        a.send_fd(second[1]);
        a.send_bytes(payload(2, 70000));
        a.send_fd(first[0]);
        a.send_bytes(payload(3, 3));
    });
    EXPECT_THROW((void)b.recv_fd(), mp::ipc::DecodeError);
    EXPECT_EQ(b.recv_bytes(), payload(1, 5000));
    EXPECT_EQ(identity_of(b.recv_fd().get()), identity_of(first[1]));
    EXPECT_EQ(b.recv<std::string>(), "between");
    EXPECT_EQ(identity_of(b.recv_fd().get()), identity_of(second[1]));
    EXPECT_EQ(b.recv_bytes(), payload(2, 70000));
    EXPECT_EQ(identity_of(b.recv_fd().get()), identity_of(first[0]));
    EXPECT_EQ(b.recv_bytes(), payload(3, 3));
    sender.join();
    for (const int fd : {first[0], first[1], second[0], second[1]}) close(fd);
}

TEST(ReadAhead, SmallMessagesOverTheMaximumAreRefusedBeforeWriting) {
    auto [reader, writer] = Pipe();
    writer.set_max_message_size(10);
    EXPECT_THROW(writer.send_bytes("eleven char"), mp::ipc::MessageTooLarge);
    EXPECT_THROW(writer.send(std::string("eleven char")), mp::ipc::MessageTooLarge);
    EXPECT_FALSE(reader.poll()) << "nothing of the refused messages was written";
    writer.send_bytes("ten chars!");
    EXPECT_EQ(reader.recv_bytes().size(), 10u);
}

TEST(PipeBuffer, OneWayPipesHaveRoomForSeveralLargeFrames) {
    auto [reader, writer] = Pipe(false);
    const int size = fcntl(reader.fileno(), F_GETPIPE_SZ);
    EXPECT_GE(size, 256 * 1024);
    // Three 64 KiB frames fit without a reader: the writer runs ahead.
    for (int i = 0; i < 3; ++i) writer.send_bytes(payload(i, 64 * 1024));
    for (int i = 0; i < 3; ++i) EXPECT_EQ(reader.recv_bytes(), payload(i, 64 * 1024));
}

int send_buffer_of(int fd) {
    int bytes = 0;
    socklen_t size = sizeof bytes;
    EXPECT_EQ(getsockopt(fd, SOL_SOCKET, SO_SNDBUF, &bytes, &size), 0);
    return bytes;
}

TEST(PipeBuffer, SocketpairsHaveALargerSendBufferThanTheDefault) {
    int plain[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, plain), 0);
    const int default_size = send_buffer_of(plain[0]);
    close(plain[0]);
    close(plain[1]);
    auto [a, b] = Pipe();
    EXPECT_GT(send_buffer_of(a.fileno()), default_size);
    EXPECT_GT(send_buffer_of(b.fileno()), default_size);
}

std::size_t pipe_max_size() {
    std::size_t bytes = 0;
    std::ifstream("/proc/sys/fs/pipe-max-size") >> bytes;
    return bytes;
}

TEST(PipeBuffer, ARefusedResizeLeavesAWorkingPipeOfTheDefaultSize) {
    // An unprivileged process asking for more than pipe-max-size is refused
    // (EPERM): the test drops root in a child to meet that refusal for real.
    constexpr int kCannotRefuse = 77;
    const pid_t pid = mp::ipc::test::fork_child([] {
        if (geteuid() == 0 && setresuid(65534, 65534, 65534) != 0) return kCannotRefuse;
        const std::size_t too_big = 2 * pipe_max_size();
        int probe[2];
        if (too_big == 0 || pipe2(probe, O_CLOEXEC) != 0) return kCannotRefuse;
        const int default_size = fcntl(probe[0], F_GETPIPE_SZ);
        const bool refused = fcntl(probe[0], F_SETPIPE_SZ, static_cast<int>(too_big)) < 0 && errno == EPERM;
        close(probe[0]);
        close(probe[1]);
        if (!refused) return kCannotRefuse;

        mp::ipc::internal::set_pipe_buffer_request(too_big);
        auto [reader, writer] = Pipe(false);
        if (fcntl(reader.fileno(), F_GETPIPE_SZ) != default_size) return 1;
        Writer sender(reader, [&writer = writer] {
            for (int i = 0; i < 3; ++i) writer.send_bytes(payload(i, 100000));  // more than the pipe holds
        });
        int intact = 0;
        for (int i = 0; i < 3; ++i) intact += reader.recv_bytes() == payload(i, 100000);
        sender.join();
        return intact == 3 ? 0 : 2;
    });
    const int code = mp::ipc::test::wait_child(pid);
    if (code == kCannotRefuse) GTEST_SKIP() << "this kernel or user cannot be refused a pipe size";
    EXPECT_EQ(code, 0) << "1: the pipe changed size; 2: frames were lost or mixed";
}

}  // namespace

// Connection: framing over socketpairs and pipes, typed messages, the unhappy
// paths (peer closed, truncated and oversized frames, wrong type, closed reader),
// poll timeouts, large messages both ways at once, and descriptor passing.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <thread>

#include "ipc/connection.hpp"
#include "ipc/internal/io.hpp"
#include "tests/ipc/child.hpp"

namespace {

using namespace std::chrono_literals;
using mp::ipc::Connection;
using mp::ipc::Pipe;
using mp::ipc::test::fork_child;
using mp::ipc::test::wait_child;
using Clock = std::chrono::steady_clock;

std::vector<std::byte> bytes_of(std::string_view text) {
    const auto span = std::as_bytes(std::span(text));
    return {span.begin(), span.end()};
}

std::string text_of(const std::vector<std::byte>& bytes) {
    return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

// Writes raw bytes on a connection's fd, bypassing the framing (a hostile peer).
void write_raw(Connection& conn, const void* data, std::size_t size) {
    ASSERT_EQ(write(conn.fileno(), data, size), static_cast<ssize_t>(size));
}

class BothKinds : public ::testing::TestWithParam<bool> {
protected:
    // A pair where `first` receives and `second` sends (duplex or not).
    std::pair<Connection, Connection> make() { return Pipe(GetParam()); }
};
INSTANTIATE_TEST_SUITE_P(Connection, BothKinds, ::testing::Values(true, false),
                         [](const auto& info) { return info.param ? "socketpair" : "pipe"; });

TEST_P(BothKinds, BytesRoundTripIncludingEmpty) {
    auto [reader, writer] = make();
    writer.send_bytes("hello");
    writer.send_bytes(std::string_view());
    writer.send_bytes(std::span<const std::byte>(bytes_of("world")));
    EXPECT_EQ(text_of(reader.recv_bytes()), "hello");
    EXPECT_TRUE(reader.recv_bytes().empty());
    std::vector<std::byte> reused;
    reader.recv_bytes_into(reused);
    EXPECT_EQ(text_of(reused), "world");
}

TEST_P(BothKinds, TypedMessagesBetweenProcesses) {
    auto [reader, writer] = make();
    const pid_t pid = fork_child([&] {
        reader.close();
        writer.send(std::map<std::string, std::vector<int>>{{"primes", {2, 3, 5, 7}}});
        writer.send(std::string(300000, 'p'));  // more than a pipe holds
        return 0;
    });
    writer.close();
    const auto map = reader.recv<std::map<std::string, std::vector<int>>>();
    EXPECT_EQ(map.at("primes").size(), 4u);
    EXPECT_EQ(reader.recv<std::string>(), std::string(300000, 'p'));
    EXPECT_THROW(reader.recv<int>(), mp::ipc::EOFError);
    EXPECT_EQ(wait_child(pid), 0);
}

TEST_P(BothKinds, PeerClosedIsEOFErrorAndPollSaysReadable) {
    auto [reader, writer] = make();
    writer.send(1);
    writer.close();
    EXPECT_TRUE(reader.poll());
    EXPECT_EQ(reader.recv<int>(), 1);
    EXPECT_TRUE(reader.poll(10ms)) << "end of stream counts as readable";
    EXPECT_THROW(reader.recv_bytes(), mp::ipc::EOFError);
    EXPECT_THROW(reader.recv_bytes(), mp::ipc::EOFError) << "and stays so";
}

TEST_P(BothKinds, TruncatedPayloadIsEOFError) {
    auto [reader, writer] = make();
    const std::uint64_t header = 100;
    write_raw(writer, &header, 8);
    write_raw(writer, "only ten..", 10);
    writer.close();
    try {
        (void)reader.recv_bytes();
        FAIL() << "no EOFError";
    } catch (const mp::ipc::EOFError& e) {
        EXPECT_NE(std::string(e.what()).find("truncated frame"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find("10 of 100"), std::string::npos) << e.what();
    }
}

TEST_P(BothKinds, PeerKilledMidFrameIsEOFError) {
    auto [reader, writer] = make();
    const pid_t pid = fork_child([&] {
        reader.close();
        const std::uint64_t header = 1 << 20;
        (void)!write(writer.fileno(), &header, 8);
        (void)!write(writer.fileno(), std::string(1000, 'k').data(), 1000);
        raise(SIGKILL);
        return 1;
    });
    writer.close();
    EXPECT_THROW(reader.recv_bytes(), mp::ipc::EOFError);
    EXPECT_EQ(wait_child(pid), 128 + SIGKILL);
}

TEST_P(BothKinds, TruncatedHeaderIsEOFError) {
    auto [reader, writer] = make();
    write_raw(writer, "\x05\x00\x00", 3);
    writer.close();
    try {
        (void)reader.recv_bytes();
        FAIL() << "no EOFError";
    } catch (const mp::ipc::EOFError& e) {
        EXPECT_NE(std::string(e.what()).find("3 of the 8 header bytes"), std::string::npos) << e.what();
    }
}

TEST_P(BothKinds, OversizedFrameIsRejectedBeforeAllocating) {
    auto [reader, writer] = make();
    // 2^47 bytes (the length is the header's low 48 bits): allocating it would fail
    // loudly (or succeed lazily and then crash).
    const std::uint64_t header = std::uint64_t{1} << 47;
    write_raw(writer, &header, 8);
    EXPECT_THROW(reader.recv_bytes(), mp::ipc::MessageTooLarge);
    // The stream cannot be followed after that; it reads as ended, not as garbage.
    writer.send(1);
    EXPECT_THROW(reader.recv<int>(), mp::ipc::EOFError);
}

TEST_P(BothKinds, MaxMessageSizeIsSettableOnBothSides) {
    auto [reader, writer] = make();
    writer.set_max_message_size(1000);
    EXPECT_THROW(writer.send_bytes(std::string(1001, 'x')), mp::ipc::MessageTooLarge);
    EXPECT_FALSE(reader.poll()) << "nothing of the refused message was written";
    writer.send_bytes(std::string(1000, 'x'));
    writer.set_max_message_size(Connection::kDefaultMaxMessageSize);
    writer.send_bytes(std::string(2000, 'y'));
    reader.set_max_message_size(1000);
    EXPECT_EQ(reader.recv_bytes().size(), 1000u);
    EXPECT_THROW(reader.recv_bytes(), mp::ipc::MessageTooLarge);
}

TEST_P(BothKinds, WrongTypeIsDecodeErrorAndTheStreamGoesOn) {
    auto [reader, writer] = make();
    writer.send(42);
    writer.send(std::string("next"));
    EXPECT_THROW(reader.recv<std::string>(), mp::ipc::DecodeError);
    EXPECT_EQ(reader.recv<std::string>(), "next");
}

TEST_P(BothKinds, PollTimesOutThenSeesData) {
    auto [reader, writer] = make();
    EXPECT_FALSE(reader.poll());
    const auto start = Clock::now();
    EXPECT_FALSE(reader.poll(50ms));
    const auto waited = Clock::now() - start;
    EXPECT_GE(waited, 45ms);
    EXPECT_LT(waited, 5s) << "generous upper bound: it must not hang";
    std::thread later([&] {
        std::this_thread::sleep_for(20ms);
        writer.send_bytes("late");
    });
    EXPECT_TRUE(reader.poll(20s));
    later.join();
    EXPECT_EQ(text_of(reader.recv_bytes()), "late");
}

// Sends to a closed reader with SIGPIPE at its default action (death): the send
// must throw BrokenPipeError and leave no SIGPIPE pending.
void expect_broken_pipe_without_sigpipe(bool duplex) {
    struct sigaction old {};
    struct sigaction dfl {};
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGPIPE, &dfl, &old);
    auto [reader, writer] = Pipe(duplex);
    reader.close();
    try {
        writer.send_bytes("anyone?");
        ADD_FAILURE() << "no BrokenPipeError";
    } catch (const mp::ipc::BrokenPipeError& e) {
        EXPECT_EQ(e.code().value(), EPIPE);
    }
    sigset_t pending;
    sigpending(&pending);
    EXPECT_FALSE(sigismember(&pending, SIGPIPE)) << "a SIGPIPE was left pending";
    sigaction(SIGPIPE, &old, nullptr);
}

TEST_P(BothKinds, SendToClosedReaderIsBrokenPipeNotSigpipe) { expect_broken_pipe_without_sigpipe(GetParam()); }

TEST(Connection, PipeSendsBlockSigpipeWhereTheKernelLacksRwfNosignal) {
    mp::ipc::internal::use_rwf_nosignal(false);
    expect_broken_pipe_without_sigpipe(false);
    mp::ipc::internal::use_rwf_nosignal(true);
}

TEST_P(BothKinds, BufferTooShortKeepsTheMessage) {
    auto [reader, writer] = make();
    writer.send_bytes("0123456789");
    writer.send_bytes("ok");
    std::array<std::byte, 4> small{};
    try {
        (void)reader.recv_bytes_into(std::span(small));
        FAIL() << "no BufferTooShort";
    } catch (const mp::ipc::BufferTooShort& e) {
        EXPECT_EQ(text_of(e.message()), "0123456789");
    }
    EXPECT_EQ(reader.recv_bytes_into(std::span(small)), 2u);
    EXPECT_EQ(std::memcmp(small.data(), "ok", 2), 0);
}

TEST(Connection, OneWayPipeEndsKnowTheirDirection) {
    auto [reader, writer] = Pipe(false);
    EXPECT_TRUE(reader.readable());
    EXPECT_FALSE(reader.writable());
    EXPECT_FALSE(writer.readable());
    EXPECT_THROW(reader.send_bytes("x"), std::system_error);
    EXPECT_THROW(writer.recv_bytes(), std::system_error);
}

TEST(Connection, FdsAreCloseOnExecAndCloseIsIdempotent) {
    auto [a, b] = Pipe();
    EXPECT_TRUE(fcntl(a.fileno(), F_GETFD) & FD_CLOEXEC);
    EXPECT_TRUE(fcntl(b.fileno(), F_GETFD) & FD_CLOEXEC);
    a.close();
    a.close();
    EXPECT_TRUE(a.closed());
    EXPECT_THROW(a.send_bytes("x"), std::system_error);
}

TEST(Connection, LargeMessagesBothWaysFromTwoThreadsDoNotDeadlock) {
    // Each side sends 4 MiB messages (far more than the socket buffer) from one
    // thread while another thread receives: sending and receiving share no lock.
    constexpr int kMessages = 8;
    const std::string big(4 << 20, 'b');
    auto [here, there] = Pipe();
    auto exchange = [&big](Connection& conn) {
        std::thread sender([&] {
            for (int i = 0; i < kMessages; ++i) conn.send_bytes(big);
        });
        int received = 0;
        for (int i = 0; i < kMessages; ++i) received += conn.recv_bytes().size() == big.size();
        sender.join();
        return received;
    };
    const pid_t pid = fork_child([&] {
        here.close();
        return exchange(there) == kMessages ? 0 : 1;
    });
    there.close();
    EXPECT_EQ(exchange(here), kMessages);
    EXPECT_EQ(wait_child(pid), 0);
}

TEST(Connection, DuplexEndsTakeTurnsAcrossProcesses) {
    auto [a, b] = Pipe();
    const pid_t pid = fork_child([&] {
        a.close();
        for (int n = b.recv<int>(); n < 10; n = b.recv<int>()) b.send(n + 1);
        return 0;
    });
    b.close();
    int n = 0;
    a.send(n);
    while ((n = a.recv<int>()) < 9) a.send(n + 1);
    a.send(n + 1);
    EXPECT_EQ(n, 9);
    EXPECT_EQ(wait_child(pid), 0);
}

TEST(Wait, SeesFramesAlreadyReadAheadThatTheFdDoesNotShow) {
    auto [a, b] = Pipe();
    a.send(1);
    a.send(2);
    EXPECT_EQ(b.recv<int>(), 1);  // the read-ahead took frame 2 as well
    pollfd p{b.fileno(), POLLIN, 0};
    EXPECT_EQ(::poll(&p, 1, 0), 0) << "the fd is idle...";
    EXPECT_TRUE(b.has_buffered_input()) << "...but a frame is waiting";
    Connection* both[] = {&a, &b};
    EXPECT_EQ(mp::ipc::wait(both, 0ms), std::vector<Connection*>{&b});
    EXPECT_EQ(b.recv<int>(), 2);
    EXPECT_FALSE(b.has_buffered_input());
}

TEST(Wait, WaitsForTheFirstOfSeveralOrTimesOut) {
    auto [a, b] = Pipe();
    auto [c, d] = Pipe(false);
    Connection* readers[] = {&b, &c};
    const auto start = Clock::now();
    EXPECT_TRUE(mp::ipc::wait(readers, 30ms).empty());
    EXPECT_GE(Clock::now() - start, 25ms);
    std::thread later([&] {
        std::this_thread::sleep_for(10ms);
        d.send_bytes("now");
    });
    EXPECT_EQ(mp::ipc::wait(readers), std::vector<Connection*>{&c});
    later.join();
}

TEST(FdPassing, ADescriptorCrossesToAnotherProcess) {
    auto [parent, child] = Pipe();
    int out[2];
    ASSERT_EQ(pipe2(out, O_CLOEXEC), 0);
    const pid_t pid = fork_child([&] {
        parent.close();
        close(out[0]);
        close(out[1]);
        mp::ipc::Fd fd = child.recv_fd();
        if (!(fcntl(fd.get(), F_GETFD) & FD_CLOEXEC)) return 2;
        return write(fd.get(), "via fd", 6) == 6 ? 0 : 1;
    });
    child.close();
    parent.send_fd(out[1]);
    close(out[1]);
    EXPECT_EQ(wait_child(pid), 0);
    char text[16] = {};
    EXPECT_EQ(read(out[0], text, sizeof text), 6);
    EXPECT_STREQ(text, "via fd");
    close(out[0]);
}

TEST(FdPassing, MixedWithMessagesAndWrongKindsAreDecodeErrors) {
    auto [a, b] = Pipe();
    a.send(1);
    a.send_fd(STDIN_FILENO);
    a.send_fd(STDIN_FILENO);
    a.send(2);
    EXPECT_THROW((void)b.recv_fd(), mp::ipc::DecodeError);  // the 1 is consumed
    EXPECT_THROW(b.recv<int>(), mp::ipc::DecodeError) << "a descriptor is not an int";
    mp::ipc::Fd fd = b.recv_fd();
    EXPECT_GE(fd.get(), 0);
    EXPECT_EQ(b.recv<int>(), 2);
    // The descriptor refused above was closed (the leak guard checks the rest).
}

TEST(FdPassing, PipesCannotPassDescriptors) {
    auto [reader, writer] = Pipe(false);
    try {
        writer.send_fd(STDIN_FILENO);
        FAIL() << "no error";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOTSOCK);
    }
}

}  // namespace

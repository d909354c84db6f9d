// Descriptors inside messages: an ipc::Fd in a value sent with Connection::send
// arrives as a new descriptor of the same file; several travel in one frame; and
// whatever goes wrong (a wrong type, control data cut short or of another kind, a
// peer that dies mid-frame, descriptors no frame announced) closes every descriptor
// received and says so. Each test also counts the open fds itself, so a leak shows
// at the step that made it, not only in the leak guard after the test.
#include <dirent.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "ipc/codec.hpp"
#include "ipc/connection.hpp"
#include "tests/ipc/child.hpp"

namespace {

using mp::ipc::Connection;
using mp::ipc::DecodeError;
using mp::ipc::EOFError;
using mp::ipc::Fd;
using mp::ipc::Pipe;
using mp::ipc::test::fork_child;
using mp::ipc::test::wait_child;

int open_fd_count() {
    int count = 0;
    DIR* dir = opendir("/proc/self/fd");
    while (const dirent* entry = readdir(dir))
        if (entry->d_name[0] != '.') ++count;
    closedir(dir);
    return count - 1;  // the directory's own fd
}

// A pipe as two owned ends: [0] reads, [1] writes.
std::pair<Fd, Fd> make_pipe() {
    int ends[2];
    EXPECT_EQ(pipe2(ends, O_CLOEXEC), 0);
    return {Fd(ends[0]), Fd(ends[1])};
}

bool same_file(int a, int b) {
    struct stat sa {}, sb {};
    EXPECT_EQ(fstat(a, &sa), 0);
    EXPECT_EQ(fstat(b, &sb), 0);
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

std::string read_text(int fd) {
    char text[64] = {};
    const ssize_t n = read(fd, text, sizeof text - 1);
    return n > 0 ? std::string(text, static_cast<std::size_t>(n)) : "";
}

// Writes `bytes` on `fd` in one sendmsg, with `fds` as SCM_RIGHTS: what a peer that
// does not follow the framing could send.
void send_raw(int fd, const void* bytes, std::size_t size, const std::vector<int>& fds) {
    iovec iov{const_cast<void*>(bytes), size};
    msghdr message{};
    message.msg_iov = &iov;
    message.msg_iovlen = 1;
    std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
    if (!fds.empty()) {
        message.msg_control = control.data();
        message.msg_controllen = control.size();
        cmsghdr* c = CMSG_FIRSTHDR(&message);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
        std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
    }
    ASSERT_EQ(sendmsg(fd, &message, MSG_NOSIGNAL), static_cast<ssize_t>(size));
}

// A frame header as Connection writes it: kind, descriptor count, length.
std::uint64_t header(std::uint64_t kind, std::uint64_t fds, std::uint64_t length) {
    return kind << 56 | fds << 48 | length;
}

TEST(FdMessage, ADescriptorInAValueArrivesAsTheSameFile) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    std::pair<std::string, Fd> message{"log", Fd(dup(write_end.get()))};
    a.send(message);
    EXPECT_GE(fcntl(message.second.get(), F_GETFD), 0) << "the sender keeps its own";
    message.second.reset();
    auto [name, received] = b.recv<std::pair<std::string, Fd>>();
    EXPECT_EQ(name, "log");
    EXPECT_NE(received.get(), write_end.get());
    EXPECT_TRUE(fcntl(received.get(), F_GETFD) & FD_CLOEXEC);
    EXPECT_TRUE(same_file(received.get(), write_end.get()));
    EXPECT_EQ(open_fd_count(), before + 1);
    ASSERT_EQ(write(received.get(), "through", 7), 7);
    EXPECT_EQ(read_text(read_end.get()), "through");
    received.reset();
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FdMessage, SeveralDescriptorsInOneMessageKeepTheirOrder) {
    auto [a, b] = Pipe();
    std::vector<std::pair<Fd, Fd>> pipes;
    std::vector<Fd> write_ends;
    for (int i = 0; i < 3; ++i) {
        pipes.push_back(make_pipe());
        write_ends.emplace_back(dup(pipes.back().second.get()));
    }
    a.send(std::tuple{1, std::move(write_ends), std::string("three")});
    auto [one, fds, three] = b.recv<std::tuple<int, std::vector<Fd>, std::string>>();
    EXPECT_EQ(one, 1);
    EXPECT_EQ(three, "three");
    ASSERT_EQ(fds.size(), 3u);
    for (std::size_t i = 0; i < 3; ++i) {
        const std::string text = "pipe " + std::to_string(i);
        ASSERT_EQ(write(fds[i].get(), text.data(), text.size()), static_cast<ssize_t>(text.size()));
        EXPECT_EQ(read_text(pipes[i].first.get()), text);
    }
}

TEST(FdMessage, ASocketCrossesToAnotherProcessAndTalks) {
    auto [parent, child] = Pipe();
    int pair[2];
    ASSERT_EQ(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    Fd near(pair[0]), far(pair[1]);
    const pid_t pid = fork_child([&] {
        parent.close();
        near.reset();
        far.reset();
        auto [greeting, conn] = child.recv<std::pair<std::string, Fd>>();
        char text[16] = {};
        const ssize_t n = recv(conn.get(), text, sizeof text, 0);
        for (ssize_t i = 0; i < n; ++i) text[i] = static_cast<char>(toupper(text[i]));
        return send(conn.get(), text, static_cast<std::size_t>(n), MSG_NOSIGNAL) == n ? 0 : 1;
    });
    child.close();
    parent.send(std::pair{std::string("talk"), std::move(far)});  // the temporary closes ours
    ASSERT_EQ(send(near.get(), "hello", 5, MSG_NOSIGNAL), 5);
    char reply[8] = {};
    EXPECT_EQ(recv(near.get(), reply, sizeof reply, MSG_WAITALL), 5);
    EXPECT_STREQ(reply, "HELLO");
    EXPECT_EQ(wait_child(pid), 0);
}

TEST(FdMessage, DescriptorsNotTakenAreClosedAndTheStreamGoesOn) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    std::vector<Fd> two;
    two.emplace_back(dup(write_end.get()));
    two.emplace_back(dup(write_end.get()));
    a.send(two);
    a.send(two);
    a.send(two);
    two.clear();
    EXPECT_THROW(b.recv<std::string>(), DecodeError) << "another type";
    EXPECT_THROW(b.recv_bytes(), DecodeError) << "bytes alone were asked for";
    EXPECT_THROW((void)b.recv_fd(), DecodeError) << "one descriptor alone was asked for";
    EXPECT_EQ(open_fd_count(), before);
    a.send(7);
    EXPECT_EQ(b.recv<int>(), 7);
    // The last copies are closed: the pipe reads as ended.
    write_end.reset();
    EXPECT_EQ(read_text(read_end.get()), "");
}

TEST(FdMessage, AnFdIsRefusedWhereNoDescriptorCanGo) {
    auto [read_end, write_end] = make_pipe();
    EXPECT_THROW(mp::ipc::encode(write_end), std::invalid_argument);
    EXPECT_THROW(mp::ipc::decode<Fd>(mp::ipc::encode(std::uint32_t{0})), DecodeError);
    auto [reader, writer] = Pipe(false);
    try {
        writer.send(write_end);
        FAIL() << "a pipe passed a descriptor";
    } catch (const std::system_error& e) {
        EXPECT_EQ(e.code().value(), ENOTSOCK);
    }
    auto [a, b] = Pipe();
    EXPECT_THROW(a.send(Fd()), std::invalid_argument);
    std::vector<Fd> too_many;
    for (std::size_t i = 0; i <= Connection::kMaxFdsPerFrame; ++i) too_many.emplace_back(dup(write_end.get()));
    EXPECT_THROW(a.send(too_many), std::invalid_argument);
    EXPECT_FALSE(b.poll()) << "nothing of a refused message is written";
}

TEST(FdMessage, AnIndexNamedTwiceOrOutOfRangeIsADecodeError) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    // Two Fds of one message that both name descriptor 0 (a hand-made payload).
    std::vector<std::byte> payload = mp::ipc::encode(mp::ipc::type_signature<std::pair<Fd, Fd>>());
    mp::ipc::encode_into(payload, std::uint32_t{0});
    mp::ipc::encode_into(payload, std::uint32_t{0});
    const std::uint64_t twice = header(1, 1, payload.size());
    std::vector<std::byte> frame(8);
    std::memcpy(frame.data(), &twice, 8);
    frame.insert(frame.end(), payload.begin(), payload.end());
    send_raw(a.fileno(), frame.data(), frame.size(), {write_end.get()});
    EXPECT_THROW((b.recv<std::pair<Fd, Fd>>()), DecodeError);
    std::memcpy(frame.data() + 8 + 8, "\x05\0\0\0", 4);  // descriptor 5 of 1
    send_raw(a.fileno(), frame.data(), frame.size(), {write_end.get()});
    EXPECT_THROW((b.recv<std::pair<Fd, Fd>>()), DecodeError);
    EXPECT_EQ(open_fd_count(), before);
    a.send(8);
    EXPECT_EQ(b.recv<int>(), 8);
}

TEST(FdMessage, ControlDataCutShortClosesWhatArrivedAndAbandonsTheStream) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    // More descriptors than one read takes: the kernel cuts the control data.
    const std::uint64_t empty = header(0, 0, 0);
    send_raw(a.fileno(), &empty, 8, std::vector<int>(Connection::kMaxFdsPerFrame + 6, write_end.get()));
    try {
        (void)b.recv_bytes();
        FAIL() << "no error";
    } catch (const DecodeError& e) {
        EXPECT_NE(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
    }
    EXPECT_EQ(open_fd_count(), before);
    a.send(1);
    EXPECT_THROW(b.recv<int>(), EOFError) << "which frame a descriptor belongs to is lost";
}

TEST(FdMessage, ControlDataOfAnotherKindClosesTheDescriptorsWithIt) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    // Credentials come with every read once the receiver asks for them.
    const int on = 1;
    ASSERT_EQ(setsockopt(b.fileno(), SOL_SOCKET, SO_PASSCRED, &on, sizeof on), 0);
    a.send(write_end);
    try {
        (void)b.recv<Fd>();
        FAIL() << "no error";
    } catch (const DecodeError& e) {
        EXPECT_NE(std::string(e.what()).find("other than descriptors"), std::string::npos) << e.what();
    }
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FdMessage, AFrameWhoseDescriptorsDidNotComeIsRefused) {
    auto [a, b] = Pipe();
    const std::uint64_t announced = header(1, 2, 0);
    send_raw(a.fileno(), &announced, 8, {});
    EXPECT_THROW((void)b.recv<std::vector<Fd>>(), DecodeError);
    a.send(1);
    EXPECT_THROW(b.recv<int>(), EOFError);
}

TEST(FdMessage, DescriptorsNoFrameAnnouncedAreClosed) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    // Bytes frames that carry descriptors anyway, more than a frame may announce.
    std::vector<int> fds(Connection::kMaxFdsPerFrame, write_end.get());
    for (int i = 0; i < 3; ++i) {
        const std::uint64_t plain = header(0, 0, 0);
        send_raw(a.fileno(), &plain, 8, fds);
    }
    EXPECT_THROW({
        for (int i = 0; i < 3; ++i) (void)b.recv_bytes();
    }, DecodeError);
    EXPECT_EQ(open_fd_count(), before);
}

TEST(FdMessage, APeerDyingMidFrameLeavesNoDescriptorBehind) {
    auto [a, b] = Pipe();
    auto [read_end, write_end] = make_pipe();
    const int before = open_fd_count();
    const pid_t pid = fork_child([&, &a = a, &write_end = write_end] {
        // The header and 10 of 100 payload bytes, with the descriptor; then death.
        std::vector<std::byte> start(18);
        const std::uint64_t h = header(1, 1, 100);
        std::memcpy(start.data(), &h, 8);
        send_raw(a.fileno(), start.data(), start.size(), {write_end.get()});
        return 0;
    });
    EXPECT_EQ(wait_child(pid), 0);
    a.close();
    EXPECT_THROW((void)b.recv<Fd>(), EOFError);
    EXPECT_EQ(open_fd_count(), before - 1);  // minus `a`
}

}  // namespace

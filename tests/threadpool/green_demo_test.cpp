// bin/threadpool's green parts: the tour prints what the seed's Python programs print
// and fetches three slow servers concurrently; echo-server serves many connections at
// once in one thread and exits 0 on SIGTERM.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdlib>
#include <string>
#include <vector>

#include "tests/support/helpers.hpp"
#include "threadpool/green/green.hpp"

namespace {

using namespace std::chrono_literals;
namespace green = mp::threadpool::green;

TEST(GreenDemo, TourPrintsTheSeedProgramsOutputAndFetchesConcurrently) {
    const auto r = mp::test::run_command({mp::test::bin_path("threadpool"), "tour"}, "", 60s);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\n11\n33\n22\n44\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nRunning in foo\nExplicit context to bar\nExplicit context switch to foo again\n"
                         "Implicit context switch back to bar\n"),
              std::string::npos)
        << r.out;
    const auto at = r.out.find("3 fetches took ");
    ASSERT_NE(at, std::string::npos) << r.out;
    // Not a speed test: one fetch after another cannot take less than 3 x 0.3 s.
    EXPECT_LT(std::atof(r.out.c_str() + at + 15), 0.9) << r.out;
    std::size_t fetched = 0;
    for (auto pos = r.out.find("FET: http://127.0.0.1:"); pos != std::string::npos;
         pos = r.out.find("FET: http://127.0.0.1:", pos + 1))
        ++fetched;
    EXPECT_EQ(fetched, 3u);
}

// bin/threadpool echo-server --port 0, its stdout on a pipe.
struct EchoServer {
    pid_t pid = -1;
    int out = -1;
    EchoServer() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::system_error(errno, std::generic_category(), "pipe2");
        const std::string bin = mp::test::bin_path("threadpool");
        pid = fork();
        if (pid == 0) {
            dup2(fds[1], STDOUT_FILENO);
            execl(bin.c_str(), bin.c_str(), "echo-server", "--port", "0", static_cast<char*>(nullptr));
            _exit(127);
        }
        close(fds[1]);
        out = fds[0];
    }
    ~EchoServer() {
        if (pid > 0) {
            kill(pid, SIGKILL);
            waitpid(pid, nullptr, 0);
        }
        close(out);
    }
    // The port from its first line, "threadpool: echo on 127.0.0.1:PORT".
    unsigned short port() const {
        std::string line;
        char c;
        while (::read(out, &c, 1) == 1 && c != '\n') line += c;
        return static_cast<unsigned short>(std::atoi(line.c_str() + line.rfind(':') + 1));
    }
};

TEST(GreenDemo, EchoServerServesManyConnectionsAtOnceAndStopsOnSigterm) {
    EchoServer server;
    const unsigned short port = server.port();
    ASSERT_NE(port, 0);
    {
        green::Hub hub;
        std::vector<green::TaskBase> clients;
        for (int i = 0; i < 40; ++i) clients.push_back(green::spawn([port, i] {
            const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            sockaddr_in addr{};
            addr.sin_family = AF_INET;
            addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
            addr.sin_port = htons(port);
            green::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr);
            // Every client holds its connection open while the others talk.
            for (int round = 0; round < 5; ++round) {
                const std::string msg = std::to_string(i) + "/" + std::to_string(round);
                green::send(fd, msg.data(), msg.size());
                std::string got;
                char buf[64];
                while (got.size() < msg.size()) got.append(buf, green::recv(fd, buf, sizeof buf));
                EXPECT_EQ(got, msg);
                green::sleep(1ms);
            }
            close(fd);
        }));
        EXPECT_TRUE(green::joinall_for(clients, 60s));
    }
    ASSERT_EQ(kill(server.pid, SIGTERM), 0);
    int status = 0;
    ASSERT_EQ(waitpid(server.pid, &status, 0), server.pid);
    server.pid = -1;
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
}

}  // namespace

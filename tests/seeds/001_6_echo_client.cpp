// Seed 001, program 6: the echo server's client: reads lines with input('>>: '),
// sends each, prints the reply. Deviation: the port is argv[1] (8080 without one),
// as for its server. At the end of stdin, input() raises EOFError, which ends the
// program as Python's uncaught exception does (a message on stderr, exit status 1).
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <system_error>

#include "ipc/ipc.hpp"
#include "tests/seeds/py.hpp"

int port = 8080;

std::string strip(const std::string& text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string::npos) return "";
    return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

namespace program {

void main() {
    mp::ipc::Fd client(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));  // client=socket(AF_INET,SOCK_STREAM)
    if (!client) throw std::system_error(errno, std::generic_category(), "socket");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, "127.0.0.1", &address.sin_addr);
    if (::connect(client.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0)
        throw std::system_error(errno, std::generic_category(), "connect");

    while (true) {
        std::string msg = strip(py::input(">>: "));
        if (msg.empty()) continue;

        ::send(client.get(), msg.data(), msg.size(), MSG_NOSIGNAL);  // client.send(msg.encode('utf-8'))
        std::string reply(1024, '\0');                               // msg=client.recv(1024)
        const ssize_t n = ::recv(client.get(), reply.data(), reply.size(), 0);
        reply.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
        py::print(reply);  // print(msg.decode('utf-8'))
    }
}

}  // namespace program

int main(int argc, char** argv) {
    if (argc > 1) port = std::atoi(argv[1]);
    try {
        program::main();
    } catch (const py::EOFError& e) {
        std::fprintf(stderr, "EOFError: %s\n", e.what());
        return 1;
    }
    return 0;
}

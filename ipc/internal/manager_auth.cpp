#include "ipc/internal/manager_auth.hpp"

#include <sys/random.h>
#include <sys/stat.h>

#include <array>
#include <bit>
#include <tuple>

#include "ipc/internal/manager_protocol.hpp"
#include "ipc/internal/sha256.hpp"
#include "ipc/errors.hpp"
#include "sync/internal/os_error.hpp"

namespace mp::ipc::internal {

namespace {

constexpr const char* kGreeting = "mp-manager 1";

// Two builds talk only if they lay out values alike: the codec is native-endian and
// native-sized, so the greeting carries the byte order and the protocol's signature.
std::uint64_t build_signature() {
    return type_signature<Request>() ^ type_signature<Reply>() ^ (kProtocolVersion << 8) ^
           (std::endian::native == std::endian::little ? 1 : 2);
}

using Greeting = std::tuple<std::string, std::uint64_t, Digest>;
using Answer = std::tuple<Digest, std::uint64_t, std::uint64_t, std::uint64_t>;
using Verdict = std::tuple<bool, std::string>;

Digest mac(const std::vector<std::byte>& authkey, const Digest& challenge) { return hmac_sha256(authkey, challenge); }

}  // namespace

ProgramIdentity this_program() {
    struct stat st {};
    ProgramIdentity identity;
    if (::stat("/proc/self/exe", &st) == 0) {
        identity.device = st.st_dev;
        identity.inode = st.st_ino;
    }
    identity.anchor = reinterpret_cast<std::uintptr_t>(&this_program);
    return identity;
}

std::vector<std::byte> random_bytes(std::size_t n) {
    std::vector<std::byte> out(n);
    for (std::size_t done = 0; done < n;) {
        const ssize_t got = ::getrandom(out.data() + done, n - done, 0);
        if (got < 0 && errno == EINTR) continue;
        if (got < 0) sync::internal::throw_errno("getrandom");
        done += static_cast<std::size_t>(got);
    }
    return out;
}

bool accept_client(Connection& connection, const std::vector<std::byte>& authkey, bool& same_program,
                   std::chrono::milliseconds patience) {
    Digest challenge;
    const auto bytes = random_bytes(challenge.size());
    std::copy(bytes.begin(), bytes.end(), challenge.begin());
    connection.send(Greeting{kGreeting, build_signature(), challenge});
    if (!connection.poll(patience)) return false;
    const auto [answer, device, inode, anchor] = connection.recv<Answer>();
    const bool proven = digests_equal(answer, mac(authkey, challenge));
    connection.send(Verdict{proven, proven ? "" : "authentication failed: wrong authkey"});
    same_program = ProgramIdentity{device, inode, anchor} == this_program();
    return proven;
}

void authenticate(Connection& connection, const std::vector<std::byte>& authkey, std::chrono::milliseconds patience) {
    const auto answer_within_patience = [&] {
        if (!connection.poll(patience))
            throw ManagerError("ipc: Manager: the peer did not answer the handshake within " +
                               std::to_string(std::chrono::duration_cast<std::chrono::seconds>(patience).count()) +
                               " s: it is not an mp Manager");
    };
    try {
        answer_within_patience();
        const auto [greeting, signature, challenge] = connection.recv<Greeting>();
        if (greeting != kGreeting) throw ManagerError("ipc: Manager: the peer is not an mp Manager");
        if (signature != build_signature())
            throw ManagerError("ipc: Manager: the server was built differently (byte order, sizes or protocol); "
                               "both ends need the same build");
        const ProgramIdentity me = this_program();
        connection.send(Answer{mac(authkey, challenge), me.device, me.inode, me.anchor});
        answer_within_patience();
        const auto [accepted, message] = connection.recv<Verdict>();
        if (!accepted) throw ManagerError("ipc: Manager: " + message);
    } catch (const DecodeError& e) {
        throw ManagerError(std::string("ipc: Manager: the peer is not an mp Manager of this build (") + e.what() + ")");
    } catch (const MessageTooLarge& e) {
        throw ManagerError(std::string("ipc: Manager: the peer is not an mp Manager (") + e.what() + ")");
    } catch (const EOFError&) {
        throw ManagerError("ipc: Manager: the peer hung up during the handshake: it is not an mp Manager, "
                           "or not of this build");
    }
}

}  // namespace mp::ipc::internal

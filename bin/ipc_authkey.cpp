// The key files of `ipc manager` and `ipc dict`: a Manager's authkey is a secret, so
// it lives in a file only its owner can read, never on a command line (which every
// user of the machine can see in ps).
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "bin/ipc_commands.hpp"
#include "ipc/manager.hpp"

namespace mp::tools::ipc {

namespace {

[[noreturn]] void fail(const std::string& path, const std::string& why) {
    throw std::runtime_error("authkey file " + path + ": " + why);
}

std::vector<std::byte> bytes_of(const std::string& text) {
    std::vector<std::byte> bytes;
    for (const char c : text) bytes.push_back(static_cast<std::byte>(c));
    return bytes;
}

}  // namespace

std::vector<std::byte> read_authkey(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) fail(path, std::strerror(errno));
    struct stat st {};
    std::string text;
    if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::geteuid() && (st.st_mode & 077) == 0) {
        char buffer[4096];
        ssize_t n;
        while ((n = ::read(fd, buffer, sizeof buffer)) > 0) text.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(fd);
    if (!S_ISREG(st.st_mode) || st.st_uid != ::geteuid() || (st.st_mode & 077) != 0)
        fail(path, "must be a regular file of yours that nobody else may read or write (chmod 600)");
    if (!text.empty() && text.back() == '\n') text.pop_back();
    if (text.empty()) fail(path, "is empty");
    return bytes_of(text);
}

std::vector<std::byte> create_authkey(const std::string& path) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) fail(path, std::strerror(errno));
    // Hex, so that the file can be shown, copied and pasted as text.
    const std::vector<std::byte> random = mp::ipc::random_authkey();
    std::string text;
    for (const std::byte b : random) {
        static constexpr char kDigits[] = "0123456789abcdef";
        text += kDigits[static_cast<unsigned>(b) >> 4];
        text += kDigits[static_cast<unsigned>(b) & 15];
    }
    text += '\n';
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    ::close(fd);
    if (!written) {
        ::unlink(path.c_str());
        fail(path, "cannot be written");
    }
    text.pop_back();
    return bytes_of(text);
}

}  // namespace mp::tools::ipc

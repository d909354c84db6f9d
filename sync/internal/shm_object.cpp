#include "sync/internal/shm_object.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "sync/internal/os_error.hpp"
#include "sync/internal/shm_directory.hpp"

namespace mp::sync::internal {

namespace {

std::string octal(mode_t mode) {
    char text[8];
    std::snprintf(text, sizeof text, "%04o", static_cast<unsigned>(mode));
    return text;
}

// The object's entry in kShmDirectory: "/mp-x" is "mp-x" there.
std::string entry_of(const std::string& path) { return path.substr(1); }

Fd try_open(const std::string& path, int flags) {
    int raw;
    // 0600 until fchmod gives a new object its mode: never wider in between.
    do raw = shm_open(path.c_str(), flags | O_CLOEXEC | O_NOFOLLOW, 0600);
    while (raw < 0 && errno == EINTR);
    return Fd(raw);
}

[[noreturn]] void refuse(const std::string& path, const std::string& why, int error) {
    throw_errno("shm_open(\"" + path + "\") refused: " + why, error);
}

// The checks of sync/access.hpp on the object open at `fd`.
void check_opened(int fd, const std::string& path, const Access& access) {
    struct stat status {};
    if (fstat(fd, &status) != 0) throw_errno("fstat", path);
    if (!S_ISREG(status.st_mode)) refuse(path, "not a regular file", EINVAL);
    const mode_t mode = status.st_mode & 07777;
    if (status.st_uid != geteuid() && !access.allow_other_owner)
        refuse(path,
               "owned by " + describe_user(status.st_uid) + " (mode " + octal(mode) + "), not by this user, " + describe_user(geteuid()) +
                   " (allow_other_owner accepts it)",
               EACCES);
    if ((mode & ~access.mode) != 0)
        refuse(path, "its mode " + octal(mode) + " (owner " + describe_user(status.st_uid) + ") is wider than the " + octal(access.mode) +
                         " asked for",
               EACCES);
}

}  // namespace

void validate_mode(mode_t mode, std::string_view library) {
    if ((mode & ~mode_t{0777}) != 0 || (mode & 0600) != 0600)
        throw std::invalid_argument(std::string(library) + ": bad mode " + octal(mode) +
                                    ": want permission bits 0600 to 0777 (the owner reads and writes)");
}

Fd open_shm_object(const std::string& path, int flags, const Access& access) {
    Fd fd;
    bool created = (flags & O_CREAT) != 0;
    if ((flags & O_CREAT) != 0 && (flags & O_EXCL) == 0) {
        // Create or open, telling which happened: only a new object gets our mode,
        // only an existing one is checked. Retried while the name comes and goes.
        for (;;) {
            if ((fd = try_open(path, flags | O_EXCL))) break;
            if (errno != EEXIST) throw_errno("shm_open", path);
            if ((fd = try_open(path, flags & ~O_CREAT))) {
                created = false;
                break;
            }
            if (errno != ENOENT) throw_errno("shm_open", path);
        }
    } else if (!(fd = try_open(path, flags))) {
        throw_errno("shm_open", path);
    }
    // fchmod, not the creation mode, which the umask would narrow.
    if (created && fchmod(fd.get(), access.mode) != 0) throw_errno("fchmod", path);
    check_opened(fd.get(), path, access);
    return fd;
}

bool remove_shm_object(const std::string& path) {
    const Fd directory = open_shm_directory();
    const std::string entry = entry_of(path);
    struct stat status {};
    if (fstatat(directory.get(), entry.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0) {
        if (errno == ENOENT) return false;
        throw_errno("fstatat", path);
    }
    // /dev/shm is sticky: nobody but its owner (or root) can swap this entry for
    // another between the check and the unlink.
    if (status.st_uid != geteuid())
        throw_errno("shm_unlink(\"" + path + "\") refused: owned by " + describe_user(status.st_uid) +
                        ", not by this user, " + describe_user(geteuid()),
                    EACCES);
    if (unlinkat(directory.get(), entry.c_str(), 0) == 0) return true;
    if (errno == ENOENT) return false;
    throw_errno("shm_unlink", path);
}

std::string describe_user(uid_t uid) {
    std::string text = "uid " + std::to_string(uid);
    std::vector<char> buffer(4096);
    passwd entry {};
    passwd* found = nullptr;
    if (getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found) == 0 && found != nullptr)
        text += std::string(" (") + found->pw_name + ")";
    return text;
}

}  // namespace mp::sync::internal

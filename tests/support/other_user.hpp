// Another user, for the tests of the named-object rules (sync/access.hpp): the
// suites run as root in CI, so a forked child that drops to `nobody` plays the
// user who squats a name or shares an object.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>

namespace mp::test {

inline constexpr uid_t kOtherUser = 65534;  // nobody

// Whether this process may become kOtherUser (it runs as root).
bool can_become_other_user();

// Runs `body` in a forked child that has become kOtherUser (group too) and returns
// its exit code: body's result, 99 if it threw, 98 if the child could not switch.
int run_as_other_user(const std::function<int()>& body);

// The /dev/shm entry for shm_open path `path` ("/mp-x"), created empty by
// kOtherUser with exactly `mode`; removed at scope end. Throws std::runtime_error
// when the other user could not create it.
class ForeignShmObject {
public:
    ForeignShmObject(std::string path, mode_t mode);
    ~ForeignShmObject();
    ForeignShmObject(const ForeignShmObject&) = delete;
    ForeignShmObject& operator=(const ForeignShmObject&) = delete;

private:
    std::string path_;
};

// A copy of executable `path` that kOtherUser can run, in a fresh world-searchable
// directory under /tmp, removed at scope end: a checkout can sit in a directory only
// its owner may enter (a private temporary clone), and the other user cannot reach
// the build's own tools there.
class CopyForOtherUser {
public:
    explicit CopyForOtherUser(const std::string& path);
    ~CopyForOtherUser();
    CopyForOtherUser(const CopyForOtherUser&) = delete;
    CopyForOtherUser& operator=(const CopyForOtherUser&) = delete;

    const std::string& path() const { return copy_; }

private:
    std::string dir_;
    std::string copy_;
};

// The owner and permission bits of /dev/shm entry `path` ("/mp-x"), not following
// a symlink; uid -1 when there is no entry.
struct EntryStatus {
    uid_t uid = static_cast<uid_t>(-1);
    mode_t mode = 0;
};
EntryStatus shm_entry_status(const std::string& path);

}  // namespace mp::test

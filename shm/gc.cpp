#include "shm/gc.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <set>
#include <system_error>

#include "sync/internal/fd.hpp"
#include "sync/internal/process_identity.hpp"
#include "sync/internal/shm_directory.hpp"
#include "shm/shared_memory.hpp"

namespace mp::shm {

namespace {

struct Entry {
    SegmentListing listing;
    ino_t inode = 0;
};

// Users of each /dev/shm inode: processes that map it (/proc/<pid>/maps) or hold it
// open (/proc/<pid>/fd). One pass over /proc for all segments.
class ShmUsers {
public:
    ShmUsers() {
        DIR* proc = opendir("/proc");
        if (proc == nullptr) return;
        while (dirent* entry = readdir(proc)) {
            char* end = nullptr;
            const long pid = std::strtol(entry->d_name, &end, 10);
            if (pid <= 0 || *end != '\0') continue;
            scan_maps(static_cast<pid_t>(pid));
            scan_fds(static_cast<pid_t>(pid));
        }
        closedir(proc);
    }

    std::vector<pid_t> of(ino_t inode) const {
        const auto found = users_.find(inode);
        if (found == users_.end()) return {};
        return {found->second.begin(), found->second.end()};
    }

private:
    void scan_maps(pid_t pid) {
        const std::string path = "/proc/" + std::to_string(pid) + "/maps";
        FILE* maps = std::fopen(path.c_str(), "re");
        if (maps == nullptr) return;
        char line[4096];
        while (std::fgets(line, sizeof line, maps) != nullptr) {
            // address perms offset dev inode path
            unsigned long inode = 0;
            int path_at = 0;
            if (std::sscanf(line, "%*s %*s %*s %*s %lu %n", &inode, &path_at) < 1 || path_at == 0) continue;
            if (std::strncmp(line + path_at, "/dev/shm/", 9) == 0) users_[static_cast<ino_t>(inode)].insert(pid);
        }
        std::fclose(maps);
    }

    void scan_fds(pid_t pid) {
        const std::string directory = "/proc/" + std::to_string(pid) + "/fd";
        DIR* fds = opendir(directory.c_str());
        if (fds == nullptr) return;
        while (dirent* entry = readdir(fds)) {
            if (entry->d_name[0] == '.') continue;
            const std::string link = directory + "/" + entry->d_name;
            char target[512];
            const ssize_t n = readlink(link.c_str(), target, sizeof target - 1);
            if (n <= 0 || std::strncmp(target, "/dev/shm/", 9) != 0) continue;
            struct stat status {};
            if (stat(link.c_str(), &status) == 0) users_[status.st_ino].insert(pid);
        }
        closedir(fds);
    }

    std::map<ino_t, std::set<pid_t>> users_;
};

// Reads the header of /dev/shm/<file> without mapping it (so listing is not a use).
Entry read_entry(int directory, const std::string& file) {
    Entry entry;
    entry.listing.name = file.substr(kNamePrefix.size());
    const int fd = openat(directory, file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
        entry.listing.problem = std::string("cannot be opened: ") + std::strerror(errno);
        return entry;
    }
    struct stat status {};
    alignas(8) std::byte header[256];
    ssize_t n = -1;
    if (fstat(fd, &status) == 0) {
        entry.inode = status.st_ino;
        entry.listing.size = static_cast<std::size_t>(status.st_size);
        entry.listing.owner = status.st_uid;
        do n = pread(fd, header, std::min(sizeof header, header_size()), 0);
        while (n < 0 && errno == EINTR);
    }
    const int saved = errno;
    close(fd);
    if (n < 0) {
        entry.listing.problem = std::string("cannot be read: ") + std::strerror(saved);
        return entry;
    }
    try {
        entry.listing.header = read_header(std::span(header, static_cast<std::size_t>(n)), entry.listing.size,
                                           entry.listing.name);
        entry.listing.creator_alive =
            sync::internal::is_alive({entry.listing.header->creator_pid, entry.listing.header->creator_start_time});
    } catch (const DamagedSegment& error) {
        entry.listing.problem = error.what();
    }
    return entry;
}

std::vector<Entry> scan(int directory) {
    std::vector<Entry> entries;
    for (const std::string& name : sync::internal::shm_entries(directory, kNamePrefix))
        entries.push_back(read_entry(directory, std::string(kNamePrefix) + name));
    const ShmUsers users;
    for (Entry& entry : entries) entry.listing.users = users.of(entry.inode);
    std::sort(entries.begin(), entries.end(),
              [](const Entry& a, const Entry& b) { return a.listing.name < b.listing.name; });
    return entries;
}


}  // namespace

std::vector<SegmentListing> list_segments() {
    const sync::internal::Fd directory = sync::internal::open_shm_directory();
    std::vector<SegmentListing> listings;
    for (Entry& entry : scan(directory.get())) listings.push_back(std::move(entry.listing));
    return listings;
}

std::vector<SegmentListing> collect_garbage() {
    const sync::internal::Fd directory = sync::internal::open_shm_directory();
    std::vector<SegmentListing> removed;
    for (Entry& entry : scan(directory.get())) {
        const SegmentListing& listing = entry.listing;
        if (!listing.header || listing.owner != geteuid() || listing.creator_alive || !listing.users.empty())
            continue;
        // Remove only the file that was examined, not one made since under that name.
        const std::string file = std::string(kNamePrefix) + listing.name;
        struct stat status {};
        if (fstatat(directory.get(), file.c_str(), &status, AT_SYMLINK_NOFOLLOW) != 0 || status.st_ino != entry.inode ||
            status.st_uid != geteuid())
            continue;
        if (unlinkat(directory.get(), file.c_str(), 0) == 0) removed.push_back(std::move(entry.listing));
    }
    return removed;
}

}  // namespace mp::shm

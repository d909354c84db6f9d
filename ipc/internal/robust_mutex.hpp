// RobustMutex: a process-shared, robust pthread mutex placed in shared memory.
// Private to ipc until sync's ProcessMutex can take its place: the queue needs
// only lock(), unlock(), and to hear that a previous owner died.
#pragma once

#include <pthread.h>

namespace mp::ipc::detail {

class RobustMutex {
public:
    // Initializes the mutex in place (in memory shared before fork, or mapped by
    // every party). Throws std::system_error. There is no destructor: the mutex
    // lives as long as its shared memory, which goes away with the last mapping.
    RobustMutex();
    RobustMutex(const RobustMutex&) = delete;
    RobustMutex& operator=(const RobustMutex&) = delete;

    // Blocks until the mutex is ours. Returns true when its previous owner died
    // holding it (EOWNERDEAD): the mutex is then already marked consistent, and the
    // caller must not trust anything that owner was half-way through changing.
    bool lock();
    void unlock() noexcept;

private:
    pthread_mutex_t mutex_;
};

}  // namespace mp::ipc::detail

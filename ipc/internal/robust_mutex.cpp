#include "ipc/internal/robust_mutex.hpp"

#include <cerrno>

#include "ipc/errors.hpp"
#include "ipc/internal/spin.hpp"

namespace mp::ipc::detail {
namespace {
constexpr int kSpinAttempts = 1000;
}  // namespace

RobustMutex::RobustMutex() {
    pthread_mutexattr_t attr;
    pthread_mutexattr_init(&attr);
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    const int error = pthread_mutex_init(&mutex_, &attr);
    pthread_mutexattr_destroy(&attr);
    if (error != 0) throw_errno("pthread_mutex_init(process-shared, robust)", error);
}

bool RobustMutex::lock() {
    // Held only for a memcpy at a time, so a short spin usually beats sleeping
    // in the kernel (glibc's robust mutexes do not spin by themselves).
    int error = EBUSY;
    for (int attempt = 0; attempt < kSpinAttempts && error == EBUSY; ++attempt) {
        error = pthread_mutex_trylock(&mutex_);
        if (error == EBUSY) cpu_relax();
    }
    if (error == EBUSY) error = pthread_mutex_lock(&mutex_);
    if (error == 0) return false;
    if (error == EOWNERDEAD) {
        pthread_mutex_consistent(&mutex_);
        return true;
    }
    throw_errno("pthread_mutex_lock(queue lock)", error);
}

void RobustMutex::unlock() noexcept { pthread_mutex_unlock(&mutex_); }

}  // namespace mp::ipc::detail

// CPU time used so far by the whole process (all threads), for "sleeping threads
// use no CPU" tests.
#pragma once

#include <sys/resource.h>

namespace mp::threadpool::test {

inline double process_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace mp::threadpool::test

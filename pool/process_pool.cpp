#include "pool/process_pool.hpp"

#include <unistd.h>

#include <cstdio>

#include "pool/internal/child.hpp"

namespace mp::pool {

int cpu_count() {
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    return online > 0 ? static_cast<int>(online) : 1;
}

namespace internal {

void report_callback_error() {
    const ExceptionText error = current_exception_text();
    std::fprintf(stderr, "pool: callback threw %s: %s\n", error.type_name.c_str(), error.message.c_str());
}

}  // namespace internal

Pool::Pool() : Pool(PoolOptions{}) {}

Pool::Pool(int processes) : Pool(PoolOptions{.processes = processes}) {}

Pool::Pool(PoolOptions options)
    : core_(std::make_shared<internal::Core>(internal::CoreOptions{
          .processes = options.processes == 0 ? cpu_count() : options.processes,
          .initializer = std::move(options.initializer),
          .maxtasksperchild = options.maxtasksperchild,
          .pass_fds = std::move(options.pass_fds),
      })) {}

}  // namespace mp::pool

// Timeout: gevent.Timeout as a scope guard. While it lives, a green wait of the
// greenlet that made it (sleep, join, get, Event, Queue, Lock, I/O, run_in_thread)
// that is still blocked when `duration` has passed throws TimeoutError; if the
// greenlet is not blocked then, its next green wait throws instead. Destroying the
// guard cancels it. Nested guards: each throws its own TimeoutError; expired() tells
// a handler whose it was.
//
//   namespace green = mp::threadpool::green;
//   char buffer[64];
//   try {
//       green::Timeout limit(std::chrono::seconds(2));
//       green::recv(n, buffer, sizeof buffer);
//   } catch (const mp::threadpool::TimeoutError&) {
//       use(0);
//   }
#pragma once

#include <chrono>
#include <memory>

#include "threadpool/errors.hpp"
#include "threadpool/green/hub.hpp"

namespace mp::threadpool::green {

class Timeout {
public:
    template <class Rep, class Period>
    explicit Timeout(std::chrono::duration<Rep, Period> duration)
        : Timeout(mp::threadpool::internal::deadline_after(duration)) {}
    explicit Timeout(SteadyTime deadline);
    ~Timeout();
    Timeout(const Timeout&) = delete;
    Timeout& operator=(const Timeout&) = delete;

    // Whether the time ran out (its TimeoutError was raised or is pending).
    bool expired() const { return expired_; }

private:
    Hub& hub_;
    Greenlet& owner_;
    bool expired_ = false;
    std::unique_ptr<Hub::Timer> timer_;
};

}  // namespace mp::threadpool::green

#include "threadpool/green/timeout.hpp"

namespace mp::threadpool::green {

Timeout::Timeout(SteadyTime deadline) : hub_(Hub::current()), owner_(Greenlet::current()) {
    if (deadline == kNoDeadline) return;
    timer_ = std::make_unique<Hub::Timer>(hub_, deadline, [this] {
        expired_ = true;
        hub_.raise_in(owner_, std::make_exception_ptr(TimeoutError("green: Timeout expired")), this);
    });
}

Timeout::~Timeout() {
    hub_.cancel_raise(owner_, this);
}

}  // namespace mp::threadpool::green

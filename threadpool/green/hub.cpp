#include "threadpool/green/hub.hpp"

#include <poll.h>

#include <cerrno>
#include <string>
#include <system_error>

#include "threadpool/green/internal/fd_poller.hpp"
#include "threadpool/green/internal/task_core.hpp"
#include "threadpool/thread_pool.hpp"

namespace mp::threadpool::green {

namespace {

thread_local Hub* t_hub = nullptr;

}  // namespace

Hub::Hub(Backend backend) {
    if (t_hub != nullptr) throw std::logic_error("green: this thread has a hub already");
    poller_ = backend == Backend::epoll ? internal::make_epoll_poller() : internal::make_poll_poller();
    loop_ = std::make_unique<Greenlet>([this](std::any) {
        loop();
        return std::any{};
    }, GreenletOptions{"hub", 256 * 1024});
    t_hub = this;
}

Hub::~Hub() {
    // Kill every live task and wait for each to end; a task that has not started ends
    // at its start (TaskCore::run), one that waits gets GreenletExit there.
    std::vector<std::shared_ptr<internal::TaskCore>> tasks;
    for (auto& [key, task] : live_) tasks.push_back(task);
    for (auto& task : tasks) {
        task->killed = true;
        if (task->greenlet->started()) raise_in(*task->greenlet, std::make_exception_ptr(GreenletExit{}), task.get());
    }
    try {
        while (!live_.empty()) yield();
    } catch (...) {
        // LoopExit cannot come (the killed tasks are ready); nothing else is raised here.
    }
    tasks.clear();
    ended_.clear();
    loop_.reset();  // unwinds the loop's greenlet
    pool_.reset();
    poller_.reset();
    t_hub = nullptr;
}

Hub& Hub::current() {
    if (t_hub != nullptr) return *t_hub;
    thread_local std::unique_ptr<Hub> default_hub = std::make_unique<Hub>();
    return *default_hub;
}

bool Hub::block(Waiter& w, SteadyTime deadline) {
    Greenlet& me = Greenlet::current();
    if (&me == loop_.get()) throw std::logic_error("green: a blocking call in the hub's own greenlet");
    if (auto it = pending_.find(&me); it != pending_.end()) {
        auto error = it->second.error;
        pending_.erase(it);
        std::rethrow_exception(error);
    }
    w.greenlet = &me;
    std::unique_ptr<Timer> timer;
    if (deadline != kNoDeadline) timer = std::make_unique<Timer>(*this, deadline, [this, &w] {
        if (w.woken) return;
        w.timed_out = true;
        wake(w);
    });
    blocked_[&me] = &w;
    struct Unblock {
        std::unordered_map<Greenlet*, Waiter*>& blocked;
        Greenlet* me;
        ~Unblock() { blocked.erase(me); }
    } unblock{blocked_, &me};
    loop_->switch_to();
    if (w.error) std::rethrow_exception(w.error);
    return !w.timed_out;
}

bool Hub::wake(Waiter& w) {
    if (w.woken) return false;
    w.woken = true;
    ready_.push_back(w.greenlet);
    return true;
}

void Hub::raise_in(Greenlet& g, std::exception_ptr error, const void* source) {
    if (auto it = blocked_.find(&g); it != blocked_.end() && !it->second->woken) {
        it->second->error = std::move(error);
        wake(*it->second);
        return;
    }
    pending_[&g] = {source, std::move(error)};
}

void Hub::cancel_raise(Greenlet& g, const void* source) {
    if (auto it = pending_.find(&g); it != pending_.end() && it->second.source == source) pending_.erase(it);
}

void Hub::yield() {
    Waiter w;
    w.greenlet = &Greenlet::current();
    wake(w);
    block(w);
}

Hub::Timer::Timer(Hub& hub, SteadyTime at, std::function<void()> fire)
    : hub_(hub), fire_(std::move(fire)), at_(hub.timers_.emplace(at, this)), scheduled_(true) {}

Hub::Timer::~Timer() {
    if (scheduled_) hub_.timers_.erase(at_);
}

void Hub::start(std::shared_ptr<internal::TaskCore> task) {
    Greenlet& g = *task->greenlet;
    g.set_parent(*loop_);
    live_.emplace(task.get(), std::move(task));
    ready_.push_back(&g);
}

void Hub::finished(internal::TaskCore& task) {
    pending_.erase(task.greenlet.get());
    auto it = live_.find(&task);
    ended_.push_back(std::move(it->second));
    live_.erase(it);
}

ThreadPool& Hub::thread_pool() {
    if (!pool_) pool_ = std::make_unique<ThreadPool>(ThreadPool::Options{.min_threads = 0, .max_threads = 8});
    return *pool_;
}

// ---- the loop, in the hub's greenlet ----

void Hub::loop() {
    for (;;) {
        run_ready();
        if (ready_.empty() && timers_.empty() && fd_waits_ == 0) {
            // Nobody can be woken: tell the hub's creator (gevent's LoopExit).
            loop_->parent()->throw_into(LoopExit{});
            continue;
        }
        SteadyTime until = ready_.empty() ? kNoDeadline : SteadyTime{};
        if (!timers_.empty() && timers_.begin()->first < until) until = timers_.begin()->first;
        poll(until);
        fire_timers();
    }
}

// Runs the greenlets ready now (not the ones they make ready: those wait for the next
// round, after I/O and timers had their turn), and frees the tasks that ended.
void Hub::run_ready() {
    for (std::size_t n = ready_.size(); n > 0 && !ready_.empty(); --n) {
        Greenlet* g = ready_.front();
        ready_.pop_front();
        g->switch_to();
        ended_.clear();
    }
}

void Hub::poll(SteadyTime until) {
    const auto now = std::chrono::steady_clock::now();
    int timeout_ms = -1;
    if (until != kNoDeadline)
        timeout_ms = until <= now ? 0 : static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(until - now).count());
    ready_fds_.clear();
    poller_->wait(timeout_ms, ready_fds_);
    for (const auto& [fd, got] : ready_fds_) {
        auto it = fds_.find(fd);
        if (it == fds_.end()) continue;
        FdWaiters& slot = it->second;
        const bool failed = (got & POLLERR) != 0;
        if (slot.reader != nullptr && (failed || (got & POLLIN) != 0)) wake(*slot.reader);
        if (slot.writer != nullptr && (failed || (got & POLLOUT) != 0)) wake(*slot.writer);
        // The report ended the watch: watch again for a waiter of the other direction.
        if (slot.wanted() != 0) poller_->watch(fd, slot.wanted());
    }
}

void Hub::fire_timers() {
    const auto now = std::chrono::steady_clock::now();
    while (!timers_.empty() && timers_.begin()->first <= now) {
        Timer* timer = timers_.begin()->second;
        timers_.erase(timers_.begin());
        timer->scheduled_ = false;
        timer->fire_();
    }
}

// ---- fds ----

std::uint32_t Hub::FdWaiters::wanted() const {
    std::uint32_t events = 0;
    if (reader != nullptr && !reader->woken) events |= POLLIN;
    if (writer != nullptr && !writer->woken) events |= POLLOUT;
    return events;
}

bool Hub::wait_fd(int fd, std::uint32_t events, SteadyTime deadline) {
    const bool reading = (events & POLLIN) != 0;
    FdWaiters& slot = fds_[fd];
    Waiter*& mine = reading ? slot.reader : slot.writer;
    if (mine != nullptr)
        throw std::logic_error("green: another greenlet waits to " + std::string(reading ? "read" : "write") + " fd " +
                               std::to_string(fd));
    Waiter w;
    mine = &w;
    ++fd_waits_;
    struct Release {
        Waiter*& mine;
        std::size_t& waits;
        ~Release() {
            mine = nullptr;
            --waits;
        }
    } release{mine, fd_waits_};
    if (!poller_->watch(fd, slot.wanted())) return true;
    return block(w, deadline);
}

}  // namespace mp::threadpool::green

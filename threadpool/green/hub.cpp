#include "threadpool/green/hub.hpp"

#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <system_error>
#include <thread>

#include "threadpool/green/internal/task_core.hpp"
#include "threadpool/thread_pool.hpp"

namespace mp::threadpool::green {

namespace {

thread_local Hub* t_hub = nullptr;

[[noreturn]] void throw_errno(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

}  // namespace

Hub::Hub() {
    if (t_hub != nullptr) throw std::logic_error("green: this thread has a hub already");
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
    if (epoll_fd_ >= 0) close(epoll_fd_);
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
    if (epoll_fd_ < 0) {
        // No fd was ever waited for: only a timer can be due.
        if (timeout_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(timeout_ms));
        return;
    }
    epoll_event events[64];
    const int n = epoll_wait(epoll_fd_, events, 64, timeout_ms);
    if (n < 0) {
        if (errno == EINTR) return;
        throw_errno("epoll_wait");
    }
    for (int i = 0; i < n; ++i) {
        const int fd = events[i].data.fd;
        auto it = fds_.find(fd);
        if (it == fds_.end()) continue;
        FdWaiters& slot = it->second;
        const std::uint32_t got = events[i].events;
        const bool failed = (got & (EPOLLERR | EPOLLHUP)) != 0;
        if (slot.reader != nullptr && (failed || (got & (EPOLLIN | EPOLLRDHUP)) != 0)) wake(*slot.reader);
        if (slot.writer != nullptr && (failed || (got & EPOLLOUT) != 0)) wake(*slot.writer);
        // The event disarmed the fd: re-arm it for a waiter of the other direction.
        if (slot.wanted() != 0) arm(fd, slot);
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
//
// An fd stays in the epoll set once added, EPOLLONESHOT: an event disarms it, and each
// wait re-arms it with one epoll_ctl(MOD) (a wait costs one system call, not an ADD
// and a DEL), while an fd nobody waits for cannot wake the loop more than once. An fd
// closed meanwhile has left the set by itself: MOD fails with ENOENT and it is added
// again (a new fd with the same number included).

std::uint32_t Hub::FdWaiters::wanted() const {
    std::uint32_t events = 0;
    if (reader != nullptr && !reader->woken) events |= EPOLLIN | EPOLLRDHUP;
    if (writer != nullptr && !writer->woken) events |= EPOLLOUT;
    return events;
}

bool Hub::arm(int fd, FdWaiters& slot) {
    epoll_event ev{};
    ev.events = slot.wanted() | EPOLLONESHOT;
    ev.data.fd = fd;
    if (slot.added) {
        if (epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, fd, &ev) == 0) return true;
        if (errno != ENOENT) throw_errno("epoll_ctl(MOD, fd " + std::to_string(fd) + ")");
    }
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &ev) == 0) {
        slot.added = true;
        return true;
    }
    if (errno == EPERM) return false;  // a regular file: always ready
    throw_errno("epoll_ctl(ADD, fd " + std::to_string(fd) + ")");
}

bool Hub::wait_fd(int fd, std::uint32_t events, SteadyTime deadline) {
    if (epoll_fd_ < 0) {
        epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
        if (epoll_fd_ < 0) throw_errno("epoll_create1");
    }
    const bool reading = (events & EPOLLIN) != 0;
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
    if (!arm(fd, slot)) return true;
    return block(w, deadline);
}

}  // namespace mp::threadpool::green

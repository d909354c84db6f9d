#include "bin/pool_runner.hpp"

#include <algorithm>
#include <deque>
#include <string>

#include "bin/cli/main.hpp"

namespace mp::tools::pool {

namespace {

// -s's default: Linux's limit for one argument (a shell command line is one), less
// a margin; GNU parallel's own default is close to it.
constexpr std::size_t kDefaultMaxChars = 128 * 1024 - 2048;

}  // namespace

// --resume skips every job the joblog has, --resume-failed those it has as succeeded.
bool Runner::skipped(std::size_t seq) const {
    if (options_.resume == Resume::resume) return history_->ran(seq);
    if (options_.resume == Resume::resume_failed) return history_->succeeded(seq);
    return false;
}

// Queues the job (seq: the next number unless it has one), waiting while enough are
// queued already.
void Runner::push_job(Job job) {
    std::unique_lock lock(mutex_);
    if (job.seq == 0) job.seq = total_ + 1;
    total_ = std::max(total_, job.seq);
    if (skipped(job.seq)) return;
    // Read ahead a little only: a slow CMD need not hold the whole input in memory.
    // --pipe's blocks are read ahead one for each slot: they may be large.
    const std::size_t ahead = static_cast<std::size_t>(slots_) * (blocks_ ? 1 : 4);
    changed_.wait(lock, [&] { return jobs_.size() < ahead || stopping_; });
    if (stopping_) return;
    jobs_.push_back(std::move(job));
    changed_.notify_all();
    // A slot starts when a job waits with every started slot busy: -j 100 for three
    // jobs starts three, and {%} counts from 1 as in GNU parallel.
    if (jobs_.size() > idle_ && workers_.size() < static_cast<std::size_t>(slots_)) {
        const int slot = static_cast<int>(workers_.size()) + 1;
        workers_.emplace_back([this, slot] { work(slot); });
    }
}

// Groups the records into jobs: -n/-N records each; with -m/-X/--xargs as many as
// fit in -s characters, and (-m, -X) the last ones spread over the job slots.
void Runner::make_jobs() {
    const auto stop = [this] { return stop_requested(); };
    if (options_.resume == Resume::retry_failed) {
        for (const auto& [seq, logged] : history_->jobs())
            if (!logged.ok)
                push_job({.seq = seq, .records = {}, .block = {}, .logged_command = logged.command});
        return;
    }
    if (blocks_) {
        while (auto block = blocks_->next(stop)) {
            push_job({.records = {}, .block = std::move(*block)});
            if (stop()) return;
        }
        return;
    }
    if (options_.multi == Multi::none) {
        const int per_job = options_.max_args.value_or(1);
        for (;;) {
            std::vector<Record> records;
            // -N 0 takes one record and gives the job none of it.
            int taken = 0;
            for (; taken < std::max(per_job, 1); ++taken) {
                auto record = inputs_->next(stop);
                if (!record) break;
                if (per_job > 0) records.push_back(std::move(*record));
            }
            if (taken == 0) return;
            push_job({.records = std::move(records)});
            if (stop()) return;
        }
    }
    const std::size_t max_chars = options_.max_chars.value_or(kDefaultMaxChars);
    const std::size_t cap =
        options_.max_args ? static_cast<std::size_t>(std::max(*options_.max_args, 1)) : SIZE_MAX;
    const std::size_t base = template_.length({});
    std::deque<Record> pending;
    std::deque<std::size_t> costs;  // what each pending record adds to the line (a little more)
    bool eof = false;
    std::optional<std::size_t> share;
    while (!eof || !pending.empty()) {
        std::size_t length = base;
        for (std::size_t cost : costs) length += cost;
        while (!eof && pending.size() < cap && length <= max_chars) {
            auto record = inputs_->next(stop);
            if (!record) {
                eof = true;
                break;
            }
            const std::size_t alone = template_.length({*record});
            if (alone > max_chars) {
                std::string shown;
                for (const std::string& field : *record) shown += (shown.empty() ? "" : " ") + field;
                throw cli::UsageError("command line too long (" + std::to_string(alone - 1) +
                                      " >= " + std::to_string(max_chars) + ") at input: " + shown);
            }
            costs.push_back(alone - base + 1);
            length += costs.back();
            pending.push_back(std::move(*record));
        }
        if (stop()) return;
        // How many records this job takes: what fits, or at the end a share per slot.
        std::size_t take = 0;
        for (std::size_t fit = base; take < pending.size() && take < cap && fit + costs[take] <= max_chars;
             ++take)
            fit += costs[take];
        take = std::max<std::size_t>(take, 1);
        // Once the input has ended, what is left is shared among the slots (one
        // share computed then, as GNU parallel does: 5 left with -j2 make 3 and 2).
        if (eof && !share && options_.multi != Multi::xargs) {
            const std::size_t slots = static_cast<std::size_t>(slots_);
            share = (pending.size() + slots - 1) / slots;
        }
        if (share) take = std::min(take, *share);
        std::vector<Record> records;
        for (std::size_t i = 0; i < take && !pending.empty(); ++i) {
            records.push_back(std::move(pending.front()));
            pending.pop_front();
            costs.pop_front();
        }
        push_job({.records = std::move(records)});
    }
}

// Makes the jobs until the input ends, or until a stop (signal, halt).
void Runner::read_input() {
    try {
        make_jobs();
    } catch (...) {
        fail(std::current_exception());
    }
    std::lock_guard lock(mutex_);
    input_done_ = true;
    changed_.notify_all();
}

}  // namespace mp::tools::pool

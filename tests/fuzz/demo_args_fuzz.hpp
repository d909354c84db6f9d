// The body of the demo_args fuzz target, shared by the libFuzzer entry point
// (demo_args.cpp) and by the suite that replays its corpus in `make test`
// (tests/fuzz_replay/demo_args.cpp).
//
// Input: byte 0 picks the demo's parser, the rest is its arguments separated by
// '\n' (a NUL, which no argv can hold, also separates). The property: every
// command line is parsed, in memory, into options inside their documented
// domain or into a usage error with a message; never a crash, undefined
// behaviour, a hang or an exception.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "bin/ipc_args.hpp"
#include "bin/pool_args.hpp"
#include "bin/shm_args.hpp"
#include "bin/subproc_args.hpp"
#include "bin/sync_args.hpp"
#include "bin/threadpool_args.hpp"

namespace mp::cli::fuzz {

inline void check(bool property) {
    if (!property) __builtin_trap();
}

// A usage error has a message, except the bare program name (usage text only).
template <class Command>
void check_usage_error(const Command& command, const std::vector<std::string>& args) {
    if (const auto* error = std::get_if<UsageError>(&command)) check(*error->what() != '\0' || args.empty());
}

inline void demo_args(const std::uint8_t* data, std::size_t size) {
    if (size < 1) return;
    std::vector<std::string> args;
    std::string arg;
    for (std::size_t i = 1; i <= size; ++i) {
        if (i == size || data[i] == '\n' || data[i] == '\0') {
            args.push_back(std::move(arg));
            arg.clear();
        } else {
            arg.push_back(static_cast<char>(data[i]));
        }
    }
    if (size == 1) args.clear();  // no arguments at all, not one empty one

    switch (data[0] % 6) {
        case 0: {
            const auto command = tools::ipc::parse_args(args);
            check_usage_error(command, args);
            if (const auto* bench = std::get_if<tools::ipc::BenchOptions>(&command))
                check(bench->size >= 1 && bench->size <= (std::size_t{1} << 26) && bench->count >= 1);
            break;
        }
        case 1: {
            const auto command = tools::pool::parse_args(args, 4);
            check_usage_error(command, args);
            if (const auto* run = std::get_if<tools::pool::RunnerOptions>(&command))
                check(run->jobs >= 1 && run->jobs <= 4096 && run->tries >= 0 && !run->command.empty() &&
                      (!run->timeout || (*run->timeout).count() > 0) && !run->delimiter.empty() &&
                      !run->replace.empty() && (!run->max_args || *run->max_args >= 0) &&
                      (!run->max_chars || *run->max_chars >= 1) && (!run->colsep || !run->colsep->empty()) &&
                      (run->sources.empty() || !run->sources.front().linked));
            break;
        }
        case 2: {
            const auto command = tools::shm::parse_args(args);
            check_usage_error(command, args);
            if (const auto* get = std::get_if<tools::shm::Get>(&command))
                check(!get->selection.single || get->selection.first.has_value());
            break;
        }
        case 3: {
            const auto command = tools::subproc::parse_args(args);
            check_usage_error(command, args);
            if (const auto* run = std::get_if<tools::subproc::RunArgs>(&command))
                check(!run->command.empty() && run->signal > 0 && run->timeout.count() >= 0);
            if (const auto* pipe = std::get_if<tools::subproc::PipeArgs>(&command)) {
                check(!pipe->stages.empty());
                for (const auto& stage : pipe->stages) check(!stage.empty());
            }
            break;
        }
        case 4: {
            const auto command = tools::sync::parse_args(args);
            check_usage_error(command, args);
            if (const auto* lock = std::get_if<tools::sync::LockRun>(&command))
                check(!lock->options.command.empty());
            if (const auto* sem = std::get_if<tools::sync::SemaphoreRun>(&command))
                check(!sem->options.command.empty() && sem->slots >= 1);
            if (const auto* barrier = std::get_if<tools::sync::BarrierWait>(&command))
                check(barrier->parties >= 1);
            break;
        }
        default: {
            const auto command = tools::threadpool::parse_args(args);
            check_usage_error(command, args);
            if (const auto* wc = std::get_if<tools::threadpool::WcOptions>(&command))
                check(!wc->threads || (*wc->threads >= 1 && *wc->threads <= 1024));
            break;
        }
    }
}

}  // namespace mp::cli::fuzz

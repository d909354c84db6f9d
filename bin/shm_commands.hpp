// The subcommands of bin/shm, one file each (shm_create.cpp, shm_get.cpp,
// shm_set.cpp for set and add, shm_ls.cpp, shm_rm.cpp, shm_gc.cpp, shm_tour.cpp),
// and what the segment commands share (shm_segment.cpp). Each returns the exit
// code: 0 done; it throws cli::UsageError (exit 2) for a name the library refuses,
// and std::runtime_error (exit 1) for a command that could not be done.
#pragma once

#include <functional>
#include <string>

#include "bin/shm_args.hpp"
#include "shm/dynamic_array.hpp"

namespace mp::tools::shm {

inline constexpr const char* kProgram = "shm";

int create_command(const Create& request);
int get_command(const Get& request);
int set_command(const Set& request);  // set, or add when request.add
int list_command();
int remove_command(const Remove& request);
int collect_command();
// `shm tour`: Python's multiprocessing.Value / Array examples, replayed with real
// processes and real output, on stdout; returns 0, or 1 if a child failed.
int tour_command();

// Runs `open`, which opens segment `name`: a name the library refuses becomes a
// cli::UsageError, a missing segment "no segment named ...".
void with_segment_name(const std::string& name, const std::function<void()>& open);
// The existing segment `name`, with with_segment_name's errors.
mp::shm::DynamicArray attach(const std::string& name, const mp::shm::Access& access);
// Prints `value` as the type `code` shows it, and a newline.
void print_value(mp::shm::TypeCode code, const mp::shm::Scalar& value);

}  // namespace mp::tools::shm

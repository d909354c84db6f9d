// Private: this process's place in the tree of mp processes, behind
// current_process() and parent_process(). Written only in a freshly forked child
// (single-threaded then) before it runs any user code; read afterwards. Defined
// in pool/current_process.cpp, beside the two functions that read it.
#pragma once

#include <sys/types.h>

#include <string>

namespace mp::pool::internal {

// The number of the next Process this process makes (1, 2, ...; thread-safe).
int next_child_number();

// The identity of this process's child number `number`: "N" in the main program,
// "<ours>:N" elsewhere (Python's _identity, joined with ':').
std::string child_identity(int number);

// In a freshly forked child: it is now `name` with `identity`, the child of the
// process it was a copy of (whose pid was `parent_pid`); its own children are
// counted from 1 again.
void become_child(std::string name, std::string identity, pid_t parent_pid);

}  // namespace mp::pool::internal

#include "subproc/internal/run_options.hpp"

#include <stdexcept>

namespace mp::subproc::internal {

RunOnly take_run_only(Options& options) {
    RunOnly run{options.input.value_or(""), options.timeout, options.check};
    if (options.capture_output) {
        if (options.out.kind() != Stream::Kind::inherit || options.err.kind() != Stream::Kind::inherit)
            throw std::invalid_argument("subproc: capture_output with out or err set");
        options.out = PIPE;
        options.err = PIPE;
    }
    if (options.input) {
        if (options.in.kind() != Stream::Kind::inherit) throw std::invalid_argument("subproc: input with in set");
        options.in = PIPE;
    }
    options.input.reset();
    options.capture_output = false;
    options.timeout.reset();
    options.check = false;
    return run;
}

}  // namespace mp::subproc::internal

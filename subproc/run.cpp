#include "subproc/run.hpp"

#include "subproc/internal/run_options.hpp"
#include "subproc/popen.hpp"

namespace mp::subproc {

void CompletedProcess::check_returncode() const {
    if (returncode != 0) throw CalledProcessError(returncode, args, out, err);
}

CompletedProcess run(std::vector<std::string> args, Options options) {
    internal::RunOnly run = internal::take_run_only(options);
    Popen process(std::move(args), std::move(options));
    Output output;
    try {
        output = process.communicate(run.input, run.timeout);
    } catch (const TimeoutExpired&) {
        Output partial = process.kill_and_collect();
        throw TimeoutExpired(process.args(), *run.timeout, std::move(partial.out), std::move(partial.err));
    }
    CompletedProcess result{process.args(), *process.returncode(), std::move(output.out), std::move(output.err)};
    if (run.check) result.check_returncode();
    return result;
}

std::string check_output(std::vector<std::string> args, Options options) {
    options.out = PIPE;
    options.check = true;
    return run(std::move(args), std::move(options)).out;
}

int check_call(std::vector<std::string> args, Options options) {
    options.check = true;
    return run(std::move(args), std::move(options)).returncode;
}

int call(std::vector<std::string> args, Options options) {
    return run(std::move(args), std::move(options)).returncode;
}

std::pair<int, std::string> getstatusoutput(const std::string& command) {
    CompletedProcess result = run({command}, {.shell = true, .out = PIPE, .err = STDOUT});
    if (!result.out.empty() && result.out.back() == '\n') result.out.pop_back();
    return {result.returncode, std::move(result.out)};
}

std::string getoutput(const std::string& command) { return getstatusoutput(command).second; }

}  // namespace mp::subproc

#include "bin/pool_remote.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include "bin/cli/main.hpp"
#include "bin/cli/output_file.hpp"
#include "bin/cli/shell.hpp"
#include "bin/pool_output.hpp"
#include "subproc/subproc.hpp"

namespace mp::tools::pool {

namespace {

// The whole file, or std::system_error naming `what` and the file.
std::string read_file(const std::string& path, const std::string& what) {
    const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw std::system_error(errno, std::generic_category(), what + " '" + path + "'");
    std::string text;
    char buffer[65536];
    ssize_t n;
    while ((n = read(fd, buffer, sizeof buffer)) != 0) {
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            const int error = errno;
            close(fd);
            throw std::system_error(error, std::generic_category(), what + " '" + path + "'");
        }
        text.append(buffer, static_cast<std::size_t>(n));
    }
    close(fd);
    return text;
}

// --workdir . : the working directory relative to $HOME (the remote shell starts
// in the login's home), or as it is when it is not below $HOME.
std::string same_directory() {
    const std::string cwd = std::filesystem::current_path().string();
    const char* home = std::getenv("HOME");
    if (home == nullptr || *home == '\0') return cwd;
    const std::string prefix = std::string(home) + "/";
    if (cwd == home) return "";
    return cwd.starts_with(prefix) ? cwd.substr(prefix.size()) : cwd;
}

// --workdir ... : a directory of this job only, GNU parallel's ~/.parallel/tmp/HOST-PID-SEQ.
std::string temporary_directory(std::size_t seq) {
    char name[256] = "localhost";
    gethostname(name, sizeof name - 1);
    return ".parallel/tmp/" + std::string(name) + "-" + std::to_string(getpid()) + "-" + std::to_string(seq);
}

std::string quoted_list(const std::vector<std::string>& words) {
    std::string list;
    for (const std::string& word : words) list += " " + cli::shell_quote(word);
    return list;
}

}  // namespace

std::vector<SshLogin> read_sshloginfile(const std::string& name) {
    const char* home = std::getenv("HOME");
    const std::string dot_parallel = std::string(home != nullptr ? home : "") + "/.parallel/";
    std::string path = name == ".."  ? dot_parallel + "sshloginfile"
                       : name == "." ? "/etc/parallel/sshloginfile"
                                     : name;
    if (access(path.c_str(), F_OK) != 0 && name.find('/') == std::string::npos &&
        access((dot_parallel + name).c_str(), F_OK) == 0)
        path = dot_parallel + name;
    const std::string text = read_file(path, "cannot read --sshloginfile");
    std::vector<SshLogin> logins;
    for (std::size_t from = 0; from < text.size();) {
        const std::size_t end = std::min(text.find('\n', from), text.size());
        std::string line = text.substr(from, end - from);
        from = end + 1;
        while (!line.empty() && (line.back() == ' ' || line.back() == '\t' || line.back() == '\r'))
            line.pop_back();
        if (line.empty() || line.front() == '#') continue;
        for (SshLogin& login : parse_sshlogins(line)) logins.push_back(std::move(login));
    }
    return logins;
}

RemoteJob::RemoteJob(const RemoteOptions& options, const SshLogin& login, std::size_t seq,
                     std::optional<int> nice)
    : options_(options),
      host_(login.host),
      ssh_(login.ssh.empty() ? options.ssh : login.ssh),
      workdir_(options.workdir == "."     ? same_directory()
               : options.workdir == "..." ? temporary_directory(seq)
                                          : options.workdir),
      temporary_(options.workdir == "..."),
      nice_(nice) {}

// The start of every remote line: into the workdir (made first when `make`).
std::string RemoteJob::into_workdir(bool make) const {
    if (workdir_.empty()) return "";
    const std::string dir = cli::shell_quote(workdir_);
    return (make ? "mkdir -p -- " + dir + " && " : "") + "cd -- " + dir + " || exit\n";
}

std::vector<std::string> RemoteJob::command(const std::string& line) const {
    std::string body;
    for (const std::string& name : options_.env)
        if (const char* value = std::getenv(name.c_str()))
            body += "export " + name + "=" + cli::shell_quote(value) + "\n";
    body += into_workdir(true);
    // The line stays as it is (quoted once); only --nice hands it to a shell of its own.
    body += nice_ ? "exec nice -n " + std::to_string(*nice_) + " /bin/sh -c " + cli::shell_quote(line) : line;
    std::vector<std::string> argv = ssh_;
    argv.insert(argv.end(), {host_, "--", body});
    return argv;
}

std::string RemoteJob::ssh(const std::string& body, const std::string& input, std::string* out) const {
    std::vector<std::string> argv = ssh_;
    argv.insert(argv.end(), {host_, "--", body});
    try {
        mp::subproc::CompletedProcess done = mp::subproc::run(argv, {.input = input, .capture_output = true});
        if (done.returncode == 0) {
            if (out != nullptr) *out = std::move(done.out);
            return "";
        }
        if (!done.err.empty() && done.err.back() != '\n') done.err += '\n';
        return "pool: " + host_ + ": " + ssh_.front() + " exited with " + std::to_string(done.returncode) +
               (done.err.empty() ? "\n" : ": " + done.err);
    } catch (const std::exception& error) {
        return "pool: " + host_ + ": " + ssh_.front() + ": " + cli::error_text(error) + "\n";
    }
}

std::string RemoteJob::send(const std::vector<std::string>& files) const {
    std::string errors;
    for (const std::string& file : files) {
        std::string content;
        try {
            content = read_file(file, "--transferfile: cannot read");
        } catch (const std::system_error& error) {
            errors += "pool: " + cli::error_text(error) + "\n";
            continue;
        }
        const std::string dir = std::filesystem::path(file).parent_path().string();
        const std::string make_dir = dir.empty() ? "" : "mkdir -p -- " + cli::shell_quote(dir) + " && ";
        errors += ssh(into_workdir(true) + make_dir + "cat > " + cli::shell_quote(file), content, nullptr);
    }
    return errors;
}

std::string RemoteJob::fetch(const std::vector<std::string>& files) const {
    std::string errors;
    for (const std::string& file : files) {
        std::string content;
        std::string error = ssh(into_workdir(false) + "cat -- " + cli::shell_quote(file), "", &content);
        if (!error.empty()) {
            errors += error;
            continue;
        }
        try {
            const std::filesystem::path dir = std::filesystem::path(file).parent_path();
            if (!dir.empty()) std::filesystem::create_directories(dir);
            const int fd = cli::open_output_fd(AT_FDCWD, file, false);
            write_all(fd, content);
            close(fd);
        } catch (const std::exception& failure) {
            errors += "pool: --return " + file + ": " + cli::error_text(failure) + "\n";
        }
    }
    return errors;
}

std::string RemoteJob::clean(const std::vector<std::string>& files) const {
    if (temporary_) return ssh("rm -rf -- " + cli::shell_quote(workdir_), "", nullptr);
    if (!options_.cleanup || files.empty()) return "";
    return ssh(into_workdir(false) + "rm -f --" + quoted_list(files), "", nullptr);
}

}  // namespace mp::tools::pool

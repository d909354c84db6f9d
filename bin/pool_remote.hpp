// bin/pool's remote hosts, GNU parallel's -S/--sshlogin: jobs run on other machines
// through the ssh command (--ssh), each job's command line quoted for the remote shell
// exactly once; files go there and back through the same command (no rsync):
//
//   send     SSH HOST -- 'mkdir -p DIR && cat > FILE'   (the local FILE on its stdin)
//   job      SSH HOST -- '[export VAR=VALUE;] [mkdir -p WD && cd WD &&] LINE'
//   return   SSH HOST -- 'cd WD && cat FILE'            (written to the local FILE)
//   cleanup  SSH HOST -- 'cd WD && rm -f -- FILES'      (the workdir `...`: rm -rf)
//
// Every value in those lines is shell-quoted; LINE is the job's command as the
// joblog shows it (its words quoted, or the shell command line whose items are).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace mp::tools::pool {

// The host ":" is this machine: its jobs run here, without ssh, as without -S.
inline constexpr const char* kLocalHost = ":";

// One -S login: `[N/]host` or `[N/]SSH-COMMAND host`; slots 0: -j's value.
struct SshLogin {
    int slots = 0;
    std::string host;                // user@host as ssh takes it, or ":"
    std::vector<std::string> ssh{};  // the login's own ssh command; empty: --ssh's
    bool local() const { return host == kLocalHost && ssh.empty(); }
};

struct RemoteOptions {
    std::vector<SshLogin> logins{};          // -S, in the order given
    std::vector<std::string> login_files{};  // --sshloginfile: read when the run starts
    std::vector<std::string> ssh{"ssh"};     // --ssh CMD, split into words
    std::vector<std::string> transfer{};     // --transferfile (--transfer: "{}"), templates
    std::vector<std::string> returns{};      // --return, templates
    bool cleanup = false;                    // --cleanup: remove sent and returned files there
    std::string workdir{};                   // --workdir: empty: the login's home; "." "...": see --help
    std::vector<std::string> env{};          // --env: names passed to remote jobs
    bool any() const { return !logins.empty() || !login_files.empty(); }
};

// `LOGIN[,LOGIN]...` (-S's value, a line of --sshloginfile), each `[N/]host` or
// `[N/]SSH-COMMAND... host` (`//usr/bin/myssh host`: a command and -j's slots); N
// from 1 to 4096. Throws cli::UsageError naming the value for no host, a host
// holding '/' or a bad N.
std::vector<SshLogin> parse_sshlogins(const std::string& spec);

// The logins of an --sshloginfile: one -S value per line, blank lines and lines
// starting with # ignored. FILE is looked for here, then in ~/.parallel; `..` is
// ~/.parallel/sshloginfile and `.` /etc/parallel/sshloginfile (GNU parallel's
// names). Throws std::system_error when it cannot be read, cli::UsageError for a
// bad line.
std::vector<SshLogin> read_sshloginfile(const std::string& path);

// The job slots of all logins, host by host in turn (a host's first slot, the next
// host's first slot...), so that a few jobs still spread over the hosts; a login
// without N has `default_slots`.
std::vector<SshLogin> slot_hosts(const std::vector<SshLogin>& logins, int default_slots);

// One job on one remote host.
class RemoteJob {
public:
    // `seq` names the workdir `...`; `nice`: the remote command's niceness.
    RemoteJob(const RemoteOptions& options, const SshLogin& login, std::size_t seq, std::optional<int> nice);

    // The argv that runs the shell command line `line` on the host.
    std::vector<std::string> command(const std::string& line) const;
    // Copies the local `files` to the host (relative names under the workdir).
    // Returns what went wrong ("" when all were sent).
    std::string send(const std::vector<std::string>& files) const;
    // Copies `files` back from the host's workdir to the same local names.
    std::string fetch(const std::vector<std::string>& files) const;
    // --cleanup removes `files` there; the workdir `...` is removed whole always.
    std::string clean(const std::vector<std::string>& files) const;

private:
    std::string into_workdir(bool make) const;
    // `body` run on the host; `input` on its stdin. "" or an error.
    std::string ssh(const std::string& body, const std::string& input, std::string* out) const;

    const RemoteOptions& options_;
    std::string host_;
    std::vector<std::string> ssh_;  // the command that reaches it
    std::string workdir_;           // "" : the login's home
    bool temporary_;                // the workdir `...`
    std::optional<int> nice_;
};

}  // namespace mp::tools::pool

// `ipc dict ADDRESS [--authkey-file F] [--name NAME] get|set|del|ls|incr ...`: one
// operation on a named dict of a Manager, for shell scripts. Values are set as
// strings and printed as they are (other kinds in Python's repr); `incr` adds
// atomically in the server, so parallel jobs can count without a lock. Exit 0; 1
// for a missing key or a value the operation does not fit (incr of a string); 2 for
// misuse, an unreadable key file included; 3 when the server cannot be reached.
#include <cstdio>
#include <stdexcept>
#include <string>

#include "bin/cli/cli.hpp"
#include "bin/ipc_args.hpp"
#include "bin/ipc_commands.hpp"
#include "ipc/manager.hpp"

namespace mp::tools::ipc {

namespace {

using mp::ipc::Object;

// A string as itself (what the shell set), anything else as Python shows it.
std::string shown(const Object& value) {
    return value.kind() == Object::Kind::string ? value.as_string() : value.repr();
}

int run_action(mp::ipc::DictProxy& dict, const DictOptions& options) {
    const std::vector<std::string>& operand = options.operands;
    if (options.action == "get") {
        std::printf("%s\n", shown(dict.get(operand[0])).c_str());
    } else if (options.action == "set") {
        dict.set(operand[0], operand[1]);
    } else if (options.action == "del") {
        dict.del(operand[0]);
    } else if (options.action == "incr") {
        std::printf("%s\n", shown(dict.add(operand[0], options.delta)).c_str());
    } else {
        for (const Object& item : dict.items()) {
            const mp::ipc::List& pair = item.as_list();
            std::printf("%s\t%s\n", shown(pair[0]).c_str(), shown(pair[1]).c_str());
        }
    }
    return 0;
}

}  // namespace

int dict_command(const DictOptions& options) {
    std::vector<std::byte> authkey;
    try {
        authkey = read_authkey(*authkey_file_for(options.manager));
    } catch (const std::exception& e) {
        cli::print_error(kProgram, e.what());
        return kExitMisuse;
    }
    try {
        mp::ipc::Manager client = mp::ipc::Manager::connect(options.manager.address, authkey);
        mp::ipc::DictProxy dict = client.named_dict(options.name);
        return run_action(dict, options);
    } catch (const mp::ipc::KeyError&) {
        cli::print_error(kProgram, "no key " + options.operands.at(0));
        return kExitFailed;
    } catch (const mp::ipc::ManagerError& e) {
        cli::print_error(kProgram, e.what());
        return kExitUnreachable;
    } catch (const std::exception& e) {  // TypeError, ValueError: the value does not fit
        cli::print_error(kProgram, e.what());
        return kExitFailed;
    }
}

}  // namespace mp::tools::ipc

// `ipc tour`, the Manager part: the seeds' Manager programs, each Python line shown
// beside the mp line that ports it, run with real processes.
#include <cstdio>
#include <vector>

#include "bin/ipc_commands.hpp"
#include "ipc/manager.hpp"

namespace mp::tools::ipc {
namespace {

using mp::ipc::DictProxy;
using mp::ipc::ListProxy;
using mp::ipc::Object;

// A Python line and the mp line beside it.
void port(const char* python, const char* cpp) { std::printf("    %-44s | %s\n", python, cpp); }

void port_heading(const char* title) {
    std::printf("\n-- %s\n", title);
    port("Python", "mp");
}

void add_one(Object& value) { value = value.as_int() + 1; }

void child_fills_a_dict_and_reverses_a_list() {
    port_heading("Manager: a child fills a dict with keys of three types and reverses a list");
    port("with Manager() as manager:", "mp::ipc::Manager manager;");
    port("    d = manager.dict()", "DictProxy d = manager.dict();");
    port("    l = manager.list(range(10))", "ListProxy l = manager.list(List{0, ..., 9});");
    port("def f(d, l): d[1] = '1'; d['2'] = 2", "d[1] = \"1\"; d[\"2\"] = 2;");
    port("    d[0.25] = None; l.reverse()", "d[0.25] = None{}; l.reverse();");
    port("print(d); print(l)", "d.repr(), l.repr()");
    mp::ipc::Manager manager;
    DictProxy d = manager.dict();
    mp::ipc::List numbers;
    for (int i = 0; i < 10; ++i) numbers.push_back(i);
    ListProxy l = manager.list(numbers);
    reap(spawn([&] {
        d[1] = "1";
        d["2"] = 2;
        d[0.25] = mp::ipc::None{};
        l.reverse();
    }));
    std::printf("    %s\n    %s\n", d.repr().c_str(), l.repr().c_str());
}

void ten_processes_count() {
    port_heading("Manager: ten processes add one to d['count'], under a Manager Lock and without one");
    port("lock = manager.Lock()", "LockProxy lock = manager.lock();");
    port("with lock: d['count'] += 1", "std::lock_guard g(lock); d[\"count\"] = ... + 1;");
    port("(no one-call form in Python)", "d.add(\"count\", 1)  or  d.modify(\"count\", add_one)");
    mp::ipc::Manager manager;
    DictProxy d = manager.dict(mp::ipc::Dict{{"locked", 0}, {"added", 0}, {"modified", 0}});
    mp::ipc::LockProxy lock = manager.lock();
    std::vector<pid_t> children;
    for (int i = 0; i < 10; ++i)
        children.push_back(spawn([&] {
            {
                std::lock_guard guard(lock);
                d["locked"] = Object(d["locked"]).as_int() + 1;
            }
            (void)d.add("added", 1);
            (void)d.modify("modified", add_one);
        }));
    for (const pid_t child : children) reap(child);
    std::printf("    %s   (each 10: no update lost)\n", d.repr().c_str());
}

void queue_between_processes() {
    port_heading("Manager: a Queue served by the Manager, a producer and a consumer");
    port("q = manager.Queue(2)", "QueueProxy q = manager.queue(2);");
    port("q.put(i) ... q.get()", "q.put(i); ... q.get();");
    mp::ipc::Manager manager;
    mp::ipc::QueueProxy q = manager.queue(2);
    const pid_t producer = spawn([&] {
        for (int i = 0; i < 5; ++i) q.put(i * i);
        q.put(mp::ipc::None{});
    });
    std::printf("    consumer got:");
    for (Object item = q.get(); !item.is_none(); item = q.get()) std::printf(" %s", item.repr().c_str());
    std::printf("\n");
    reap(producer);
}

}  // namespace

void manager_tour() {
    child_fills_a_dict_and_reverses_a_list();
    ten_processes_count();
    queue_between_processes();
}

}  // namespace mp::tools::ipc

// Seed 002, program 15: two processes, one after the other, each add a key to a
// Manager's dict and print its values (Python 2's `print dic.values()`, as Python 3
// prints the list a DictProxy returns).
#include "ipc/manager.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::pool::Process;

mp::ipc::Manager manage;
mp::ipc::DictProxy dic = manage.dict();

void Foo(int i) {
    dic[i] = 100 + i;
    py::print(mp::ipc::Object(dic.values()).repr());
}

int main() {
    for (int i : py::range(2)) {
        Process p(Foo, i);
        p.start();
        p.join();
    }
    return 0;
}

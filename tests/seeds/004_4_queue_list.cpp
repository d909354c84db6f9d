// Seed 004, program 4: a child puts [42, None, 'hello'] on a Queue; the parent gets it.
#include "ipc/ipc.hpp"
#include "pool/pool.hpp"
#include "tests/seeds/py.hpp"

using mp::ipc::Queue;
using mp::pool::Process;

// A Python list of int, None and str.
using List = std::vector<std::variant<int, std::monostate, std::string>>;

void f(Queue<List>& q) { q.put(List{42, std::monostate{}, std::string("hello")}); }

int main() {
    Queue<List> q;
    Process p(f, std::ref(q));
    p.start();
    py::print(q.get());  // prints "[42, None, 'hello']"
    p.join();
    return 0;
}

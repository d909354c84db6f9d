// expect: ignoring return value
// A _for call reports its timeout by value ([[nodiscard]]): dropping the answer
// would lose both the item and the news that none came.
#include "ipc/queue.hpp"

int main() {
    mp::ipc::Queue<int> q;
    q.try_get_for(std::chrono::milliseconds(10));
}

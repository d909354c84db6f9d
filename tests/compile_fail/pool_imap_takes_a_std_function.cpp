// expect: mp::pool: a task's callable must be stateless
#include <functional>
#include <vector>

#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    std::function<int(int)> f = [](int x) { return x; };
    auto results = pool.imap(f, std::vector<int>{1});
    return results.next().value_or(0);
}

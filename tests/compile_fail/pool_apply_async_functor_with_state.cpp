// expect: mp::pool: a task's callable must be stateless
#include "pool/pool.hpp"

struct AddOffset {
    int offset;
    int operator()(int x) const { return x + offset; }
};

int main() {
    mp::pool::Pool pool(1);
    return pool.apply_async(AddOffset{2}, 1).get();
}

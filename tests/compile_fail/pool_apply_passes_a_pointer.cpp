// expect: ipc codec: pointers mean nothing in another process
// Arguments travel through the codec, which refuses pointers.
#include "pool/pool.hpp"

int main() {
    mp::pool::Pool pool(1);
    int local = 0;
    return pool.apply([](int* p) { return *p; }, &local);
}

// A typed Manager dict of a type with no Object form (object_convert.hpp lists them)
// is refused at compile time, naming the reason.
// expect: no Object form for this type
#include "ipc/manager.hpp"

struct Point {
    int x, y;
};

void store(mp::ipc::Manager& manager) {
    auto points = manager.dict<std::string, Point>();
    points.set("origin", Point{0, 0});
}

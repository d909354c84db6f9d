// Seed 002, program 19: greenlet — two functions that switch to each other.
#include "tests/seeds/py.hpp"
#include "threadpool/green/greenlet.hpp"

using mp::threadpool::green::Greenlet;

Greenlet* gr1;
Greenlet* gr2;

std::any test1(std::any) {
    py::print(11);
    gr2->switch_to();
    py::print(22);
    gr2->switch_to();
    return {};
}

std::any test2(std::any) {
    py::print(33);
    gr1->switch_to();
    py::print(44);
    return {};
}

int main() {
    Greenlet g1(test1);
    Greenlet g2(test2);
    gr1 = &g1;
    gr2 = &g2;
    gr1->switch_to();
    // 输出结果: 11 33 22 44
    return 0;
}

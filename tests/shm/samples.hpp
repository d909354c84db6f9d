// Per type code: two distinctive values of its C++ type and how bin/shm writes them,
// for the typed tests that run once per code.
#pragma once

#include <limits>
#include <string>
#include <type_traits>

#include <gtest/gtest.h>

namespace mp::shm::test {

template <class T>
struct Sample {
    // The type's extremes: wrong widths or signedness show at once.
    static T low() { return std::numeric_limits<T>::min(); }
    static T high() { return std::numeric_limits<T>::max(); }
    static std::string low_text() { return std::to_string(+low()); }
    static std::string high_text() { return std::to_string(+high()); }
};
template <>
struct Sample<char> {
    static char low() { return 'A'; }
    static char high() { return '~'; }
    static std::string low_text() { return "A"; }
    static std::string high_text() { return "~"; }
};
template <>
struct Sample<float> {
    static float low() { return -2.5f; }
    static float high() { return 3.25e38f; }
    static std::string low_text() { return "-2.5"; }
    static std::string high_text() { return "3.25e+38"; }
};
template <>
struct Sample<double> {
    static double low() { return -0.1; }
    static double high() { return 3.1415927; }
    static std::string low_text() { return "-0.1"; }
    static std::string high_text() { return "3.1415927"; }
};

// The C++ types of the 13 Python type codes c b B h H i I l L q Q f d.
using AllTypeCodes = ::testing::Types<char, signed char, unsigned char, short, unsigned short, int, unsigned int, long,
                                      unsigned long, long long, unsigned long long, float, double>;

}  // namespace mp::shm::test

// What the seed programs take from Python itself, so that each port reads as its
// original and prints what Python 3 prints (tests/seeds/README.md):
//
//   py::print("get:", g);          // print(): str() of each, a space between, "\n"
//   py::str(std::vector{0, -1})    // "[0, -1]"; tuples "('1', '0')", floats "5.0"
//   py::sleep(2);                  // time.sleep(2), scaled: 1 s is py::kSecond
//   py::random();                  // random.random(), from a fixed seed
//   py::input("input:");           // input(): the prompt, then a line of stdin
//   py::range(10)                  // range(10) as a std::vector<int>
//
// Including it also makes stdout line-buffered (as Python's on a terminal), so the
// lines of several threads and processes sharing stdout never mix within a line.
#pragma once

#include <unistd.h>

#include <charconv>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <tuple>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

namespace py {

// One second of the seeds' time.sleep: small, so the whole seeds suite runs in a
// few seconds, while every sleep keeps its place and its proportion to the others.
// What is not scaled is the cost of starting and ending processes, several times
// higher in sanitizer builds (ASan's shadow memory makes each fork slow): there
// the margins between sleeps would be eaten, so a second is five times as long.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
inline constexpr std::chrono::milliseconds kSecond{100};
#else
inline constexpr std::chrono::milliseconds kSecond{20};
#endif

inline void sleep(double seconds) {
    std::this_thread::sleep_for(std::chrono::duration_cast<std::chrono::nanoseconds>(seconds * kSecond));
}

// random.random(): uniform in [0, 1), from a fixed seed, so that every run sleeps the
// same; forked children continue the parent's sequence. Its first values (0.78,
// 0.56, 0.80) leave a reader time to print what a writer put before it slept.
inline double random() {
    static std::mt19937_64 generator(6);
    return std::uniform_real_distribution<double>(0.0, 1.0)(generator);
}

// Python's EOFError: input() found the end of stdin.
struct EOFError : std::runtime_error {
    EOFError() : std::runtime_error("EOF when reading a line") {}
};

// input(prompt): writes the prompt (no newline) and returns the next line of stdin
// without its "\n".
inline std::string input(std::string_view prompt) {
    std::fwrite(prompt.data(), 1, prompt.size(), stdout);
    std::fflush(stdout);
    std::string line;
    if (!std::getline(std::cin, line)) throw EOFError();
    return line;
}

inline std::vector<int> range(int start, int stop) {
    std::vector<int> values;
    for (int i = start; i < stop; ++i) values.push_back(i);
    return values;
}
inline std::vector<int> range(int stop) { return range(0, stop); }

inline int getpid() { return static_cast<int>(::getpid()); }

// ---- str() and repr() ----

// Declared first, so that each container's repr finds every element's.
struct bytes;
std::string repr(double value);
std::string repr(const std::string& s);
std::string repr(const char* s);
std::string repr(const bytes& b);
std::string repr(bool b);
std::string repr(std::monostate);
std::string repr(std::nullopt_t);
template <class T>
std::string repr(const std::optional<T>& value);
template <class... Ts>
std::string repr(const std::variant<Ts...>& value);
template <class T>
std::string repr(const std::vector<T>& values);
template <class K, class V>
std::string repr(const std::map<K, V>& values);
template <class... Ts>
std::string repr(const std::tuple<Ts...>& values);
template <class A, class B>
std::string repr(const std::pair<A, B>& values);
template <class T>
std::string repr(const T& value);

// A float as Python writes it: the shortest digits that read back the same,
// positional from 1e-4 up to 1e16 (with ".0" when whole), scientific otherwise.
inline std::string repr(double value) {
    char buf[64];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
    std::string sci(buf, end);  // "-3.1415927e+00"
    if (sci.find_first_of("0123456789") == std::string::npos) return sci == "-nan" || sci == "nan" ? "nan" : sci;
    const std::size_t e = sci.find('e');
    const int exponent = std::stoi(sci.substr(e + 1));
    const bool negative = sci[0] == '-';
    std::string digits;
    for (char c : sci.substr(0, e))
        if (c >= '0' && c <= '9') digits += c;
    std::string text;
    if (exponent < -4 || exponent >= 16) {
        text = digits.substr(0, 1) + (digits.size() > 1 ? "." + digits.substr(1) : "") + "e" +
               (exponent < 0 ? "-" : "+") + (std::abs(exponent) < 10 ? "0" : "") + std::to_string(std::abs(exponent));
    } else if (exponent < 0) {
        text = "0." + std::string(-exponent - 1, '0') + digits;
    } else {
        if (digits.size() <= static_cast<std::size_t>(exponent)) digits.append(exponent + 1 - digits.size(), '0');
        text = digits.substr(0, exponent + 1) + "." + (digits.size() > static_cast<std::size_t>(exponent) + 1 ? digits.substr(exponent + 1) : "0");
    }
    return negative ? "-" + text : text;
}

// A str as Python quotes it: single quotes unless the text has one and no double.
inline std::string repr(const std::string& s) {
    const char quote = s.find('\'') != std::string::npos && s.find('"') == std::string::npos ? '"' : '\'';
    std::string out(1, quote);
    for (char c : s) {
        if (c == '\\' || c == quote) out += '\\', out += c;
        else if (c == '\n') out += "\\n";
        else if (c == '\t') out += "\\t";
        else out += c;
    }
    return out + quote;
}
inline std::string repr(const char* s) { return repr(std::string(s)); }

// Python's bytes, for what a pipe gives (b'...\n').
struct bytes {
    std::string data;
};
inline std::string repr(const bytes& b) { return "b" + repr(b.data); }

inline std::string repr(bool b) { return b ? "True" : "False"; }
inline std::string repr(std::monostate) { return "None"; }
inline std::string repr(std::nullopt_t) { return "None"; }

template <class T>
std::string repr(const std::optional<T>& value) {
    return value ? repr(*value) : "None";
}

template <class... Ts>
std::string repr(const std::variant<Ts...>& value) {
    return std::visit([](const auto& v) { return repr(v); }, value);
}

template <class T>
std::string repr(const std::vector<T>& values) {
    std::string out = "[";
    for (std::size_t i = 0; i < values.size(); ++i) out += (i ? ", " : "") + repr(values[i]);
    return out + "]";
}

template <class K, class V>
std::string repr(const std::map<K, V>& values) {
    std::string out = "{";
    for (const auto& [k, v] : values) out += (out.size() > 1 ? ", " : "") + repr(k) + ": " + repr(v);
    return out + "}";
}

// A tuple: "(a, b)", and "(a,)" for one element.
template <class... Ts>
std::string repr(const std::tuple<Ts...>& values) {
    std::string out = "(";
    std::apply([&](const auto&... v) { ((out += (out.size() > 1 ? ", " : "") + repr(v)), ...); }, values);
    return out + (sizeof...(Ts) == 1 ? ",)" : ")");
}
template <class A, class B>
std::string repr(const std::pair<A, B>& values) {
    return repr(std::tuple<A, B>(values.first, values.second));
}

// Integers (and anything else std::to_string takes).
template <class T>
std::string repr(const T& value) {
    static_assert(std::is_integral_v<T>, "py::repr: no Python form for this type");
    return std::to_string(value);
}

// str(): as repr(), except that a string is itself.
template <class T>
std::string str(const T& value) {
    if constexpr (std::is_convertible_v<const T&, std::string_view>) return std::string(std::string_view(value));
    else return repr(value);
}

// print(*values, sep=' ', end='\n'): one write of the whole line.
template <class... Ts>
void print(const Ts&... values) {
    std::string line;
    int n = 0;
    ((line += (n++ ? " " : "") + str(values)), ...);
    line += '\n';
    std::fwrite(line.data(), 1, line.size(), stdout);
}

namespace internal {
// Line-buffered stdout from the first moment of every seed program.
inline const bool stdout_line_buffered = std::setvbuf(stdout, nullptr, _IOLBF, BUFSIZ) == 0;
}  // namespace internal

}  // namespace py

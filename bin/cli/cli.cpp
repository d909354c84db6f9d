#include "bin/cli/cli.hpp"

#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace mp::cli {

std::optional<double> parse_double(std::string_view text) {
    if (text.empty() || text.front() == ' ') return std::nullopt;
    const std::string copy(text);
    char* end = nullptr;
    const double value = std::strtod(copy.c_str(), &end);
    if (end != copy.c_str() + copy.size() || !std::isfinite(value)) return std::nullopt;
    return value;
}

std::optional<unsigned> parse_mode(std::string_view text) {
    if (text.size() < 3 || text.size() > 4) return std::nullopt;
    unsigned mode = 0;
    for (const char c : text) {
        if (c < '0' || c > '7') return std::nullopt;
        mode = mode * 8 + static_cast<unsigned>(c - '0');
    }
    return mode;
}

std::optional<std::chrono::nanoseconds> parse_duration(std::string_view text) {
    double unit = 1;
    if (text.ends_with("ms")) {
        unit = 1e-3;
        text.remove_suffix(2);
    } else if (!text.empty()) {
        switch (text.back()) {
            case 's':
                unit = 1;
                break;
            case 'm':
                unit = 60;
                break;
            case 'h':
                unit = 3600;
                break;
            case 'd':
                unit = 86400;
                break;
            default:
                unit = 0;
        }
        if (unit != 0)
            text.remove_suffix(1);
        else
            unit = 1;
    }
    // Only plain decimals: strtod would also take "inf", "nan" and hex.
    if (text.empty() || text.find_first_not_of("0123456789.") != std::string_view::npos) return std::nullopt;
    const std::optional<double> number = parse_double(text);
    if (!number) return std::nullopt;
    const double seconds = *number * unit;
    if (seconds > 1e9) return std::nullopt;  // beyond any sane wait; avoids overflow
    return std::chrono::nanoseconds(static_cast<std::int64_t>(std::llround(seconds * 1e9)));
}

std::optional<std::int64_t> parse_int(std::string_view text, std::int64_t min, std::int64_t max) {
    if (!text.empty() && text.front() == '+') text.remove_prefix(1);
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
    if (value < min || value > max) return std::nullopt;
    return value;
}

std::string_view without_program(std::string_view message, std::string_view program) {
    if (message.size() > program.size() + 1 && message.starts_with(program) &&
        message.substr(program.size(), 2) == ": ")
        message.remove_prefix(program.size() + 2);
    return message;
}

void print_error(std::string_view program, std::string_view message) {
    message = without_program(message, program);
    std::fprintf(stderr, "%.*s: %.*s\n", static_cast<int>(program.size()), program.data(),
                 static_cast<int>(message.size()), message.data());
}

}  // namespace mp::cli

#include "bench/harness/harness.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

namespace mp::bench {

bool Stats::noisy() const {
    return median > 0 && (max - min) > 0.3 * median;
}

namespace {

Stats summarize(std::vector<double> per_op) {
    std::sort(per_op.begin(), per_op.end());
    Stats s;
    s.min = per_op.front();
    s.max = per_op.back();
    const std::size_t n = per_op.size();
    s.median = n % 2 == 1 ? per_op[n / 2] : (per_op[n / 2 - 1] + per_op[n / 2]) / 2;
    return s;
}

bool python_present() {
    static const bool present = std::system("command -v python3 >/dev/null 2>&1") == 0;
    return present;
}

std::string cell(const std::optional<Stats>& s, bool is_cpython = false) {
    if (!s) return is_cpython && !python_present() ? "no python3" : "-";
    return format_seconds(s->median) + (s->noisy() ? " ~" : "");
}

std::string ratio(const std::optional<Stats>& a, const std::optional<Stats>& b) {
    if (!a || !b || b->median <= 0) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.2fx", a->median / b->median);
    return text;
}

}  // namespace

Stats measure(std::size_t ops, const std::function<void()>& body, int runs) {
    body();
    std::vector<double> per_op;
    for (int i = 0; i < runs; ++i) {
        const auto start = std::chrono::steady_clock::now();
        body();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        per_op.push_back(took.count() / static_cast<double>(ops));
    }
    return summarize(per_op);
}

std::optional<Stats> cpython(const std::string& script, const std::string& scenario, std::size_t ops,
                             int runs) {
    const std::string command = "python3 bench/" + script + " " + scenario + " " + std::to_string(ops) + " " +
                                std::to_string(runs) + " 2>/dev/null";
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
    if (!pipe) return std::nullopt;
    std::vector<double> per_op;
    double value = 0;
    while (std::fscanf(pipe.get(), "%lf", &value) == 1) per_op.push_back(value);
    if (pclose(pipe.release()) != 0 || per_op.empty()) return std::nullopt;
    return summarize(per_op);
}

std::string format_seconds(double seconds) {
    char text[32];
    if (seconds < 1e-6)
        std::snprintf(text, sizeof text, "%.1f ns", seconds * 1e9);
    else if (seconds < 1e-3)
        std::snprintf(text, sizeof text, "%.2f us", seconds * 1e6);
    else if (seconds < 1)
        std::snprintf(text, sizeof text, "%.2f ms", seconds * 1e3);
    else
        std::snprintf(text, sizeof text, "%.2f s", seconds);
    return text;
}

Table::Table(std::string title) : title_(std::move(title)) {}

void Table::add(Row row) {
    rows_.push_back(std::move(row));
}

void Table::print() const {
    const std::vector<std::string> header{"scenario",     "ours", "raw syscall loop", "CPython", "ours/raw",
                                          "ours/CPython", "note"};
    std::vector<std::vector<std::string>> lines{header};
    for (const Row& r : rows_)
        lines.push_back({r.scenario, cell(r.ours), cell(r.raw), cell(r.cpython, true), ratio(r.ours, r.raw),
                         ratio(r.ours, r.cpython), r.note});
    std::vector<std::size_t> width(header.size(), 0);
    for (const auto& line : lines)
        for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());

    std::cout << "\n## " << title_ << " (time per operation, median; ~ marks a spread over 30%)\n\n";
    for (std::size_t l = 0; l < lines.size(); ++l) {
        std::cout << "|";
        for (std::size_t i = 0; i < header.size(); ++i)
            std::cout << " " << lines[l][i] << std::string(width[i] - lines[l][i].size(), ' ') << " |";
        std::cout << "\n";
        if (l == 0) {
            std::cout << "|";
            for (std::size_t w : width) std::cout << std::string(w + 2, '-') << "|";
            std::cout << "\n";
        }
    }
    std::cout.flush();

    if (const char* tsv = std::getenv("MP_BENCH_TSV")) {
        std::ofstream out(tsv, std::ios::app);
        auto stats = [](const std::optional<Stats>& s) {
            std::ostringstream text;
            if (s)
                text << s->median << "\t" << s->min << "\t" << s->max;
            else
                text << "\t\t";
            return text.str();
        };
        for (const Row& r : rows_)
            out << title_ << "\t" << r.scenario << "\t" << stats(r.ours) << "\t" << stats(r.raw) << "\t"
                << stats(r.cpython) << "\t" << r.note << "\n";
    }
}

}  // namespace mp::bench

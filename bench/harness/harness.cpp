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

double Stats::spread() const {
    return median > 0 ? (max - min) / median : 0;
}

bool Stats::noisy() const {
    return spread() > 0.3;
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

// "4.07 ms (12%)", with " ~" after a spread over 30%.
std::string cell(const std::optional<Stats>& s, bool is_cpython = false) {
    if (!s) return is_cpython && !python_present() ? "no python3" : "-";
    char spread[32];
    std::snprintf(spread, sizeof spread, " (%.0f%%)", s->spread() * 100);
    return format_seconds(s->median) + spread + (s->noisy() ? " ~" : "");
}

std::string ratio(const std::optional<Stats>& a, const std::optional<Stats>& b) {
    if (!a || !b || b->median <= 0) return "-";
    char text[32];
    std::snprintf(text, sizeof text, "%.2fx", a->median / b->median);
    return text;
}

// "12.3 M", "456 k", "7.89": three significant digits and an SI prefix.
std::string format_quantity(double value) {
    const char* prefixes[] = {"", " k", " M", " G"};
    int p = 0;
    while (value >= 1000 && p < 3) {
        value /= 1000;
        ++p;
    }
    char text[32];
    std::snprintf(text, sizeof text,
                  value >= 100  ? "%.0f%s"
                  : value >= 10 ? "%.1f%s"
                                : "%.2f%s",
                  value, prefixes[p]);
    return text;
}

const char* plot_name(Plot plot) {
    switch (plot) {
        case Plot::seconds:
            return "seconds";
        case Plot::per_second:
            return "per_second";
        case Plot::bytes_per_second:
            return "bytes_per_second";
    }
    return "";
}

std::string plotted(Plot plot, double x, const std::optional<Stats>& s) {
    if (!s || s->median <= 0) return "-";
    switch (plot) {
        case Plot::seconds:
            return format_seconds(s->median);
        case Plot::per_second:
            return format_quantity(1 / s->median) + "/s";
        case Plot::bytes_per_second:
            return format_quantity(x / s->median) + "B/s";
    }
    return "-";
}

// The printed cells of one row: scenario, ours, raw, CPython, the two ratios, note.
std::vector<std::string> cells(const Row& r) {
    return {r.scenario,
            cell(r.ours),
            cell(r.raw),
            cell(r.cpython, true),
            ratio(r.ours, r.raw),
            ratio(r.ours, r.cpython),
            r.note};
}

void print_markdown(const std::string& heading, const std::vector<std::vector<std::string>>& lines) {
    std::vector<std::size_t> width(lines.front().size(), 0);
    for (const auto& line : lines)
        for (std::size_t i = 0; i < line.size(); ++i) width[i] = std::max(width[i], line[i].size());
    std::cout << "\n## " << heading << "\n\n";
    for (std::size_t l = 0; l < lines.size(); ++l) {
        std::cout << "|";
        for (std::size_t i = 0; i < width.size(); ++i)
            std::cout << " " << lines[l][i] << std::string(width[i] - lines[l][i].size(), ' ') << " |";
        std::cout << "\n";
        if (l == 0) {
            std::cout << "|";
            for (std::size_t w : width) std::cout << std::string(w + 2, '-') << "|";
            std::cout << "\n";
        }
    }
    std::cout.flush();
}

const std::vector<std::string> kHeader{"ours",     "raw syscall loop", "CPython",
                                       "ours/raw", "ours/CPython",     "note"};
const char* const kLegend =
    "time per operation, median (min-max spread in % of it); ~ marks a spread over 30%";

// One TSV line per row: kind, title, x axis, plot, x, then the printed cells
// (scenario, ours, raw, CPython, ours/raw, ours/CPython, note, plotted ours), then
// median, min and max in seconds for ours, raw and CPython (empty when absent).
void write_tsv(const std::string& kind, const std::string& title, const std::string& x_axis,
               const std::string& plot, const std::string& x, const std::vector<std::string>& printed,
               const Row& r) {
    const char* path = std::getenv("MP_BENCH_TSV");
    if (!path) return;
    std::ofstream out(path, std::ios::app);
    out.precision(9);
    out << kind << "\t" << title << "\t" << x_axis << "\t" << plot << "\t" << x;
    for (const std::string& c : printed) out << "\t" << c;
    for (const auto* s : {&r.ours, &r.raw, &r.cpython}) {
        if (*s)
            out << "\t" << (*s)->median << "\t" << (*s)->min << "\t" << (*s)->max;
        else
            out << "\t\t\t";
    }
    out << "\n";
}

}  // namespace

Stats measure(std::size_t ops, const std::function<void()>& body, int runs) {
    body();
    std::vector<double> per_op;
    for (int i = 0; i < std::max(runs, kMinRuns); ++i) {
        const auto start = std::chrono::steady_clock::now();
        body();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        per_op.push_back(took.count() / static_cast<double>(ops));
    }
    return summarize(per_op);
}

Pair measure_interleaved(std::size_t ops, const std::function<void()>& ours, const std::function<void()>& raw,
                         int runs) {
    const auto per_op = [ops](const std::function<void()>& body) {
        const auto start = std::chrono::steady_clock::now();
        body();
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
        return took.count() / static_cast<double>(ops);
    };
    ours();
    raw();
    std::vector<double> ours_per_op, raw_per_op;
    for (int round = 0; round < std::max(runs, kMinRuns); ++round) {
        if (round % 2 == 0) {
            ours_per_op.push_back(per_op(ours));
            raw_per_op.push_back(per_op(raw));
        } else {
            raw_per_op.push_back(per_op(raw));
            ours_per_op.push_back(per_op(ours));
        }
    }
    return {summarize(ours_per_op), summarize(raw_per_op)};
}

std::optional<Stats> cpython(const std::string& script, const std::string& scenario, std::size_t ops,
                             int runs) {
    const std::string command = "python3 bench/" + script + " " + scenario + " " + std::to_string(ops) + " " +
                                std::to_string(std::max(runs, kMinRuns)) + " 2>/dev/null";
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
    std::vector<std::vector<std::string>> lines{{"scenario"}};
    lines[0].insert(lines[0].end(), kHeader.begin(), kHeader.end());
    for (const Row& r : rows_) {
        lines.push_back(cells(r));
        write_tsv("table", title_, "", "", "", lines.back(), r);
    }
    print_markdown(title_ + " (" + kLegend + ")", lines);
}

Series::Series(std::string title, std::string x_axis, Plot plot)
    : title_(std::move(title)), x_axis_(std::move(x_axis)), plot_(plot) {}

void Series::add(double x, Row row) {
    points_.emplace_back(x, std::move(row));
}

void Series::print() const {
    std::vector<std::vector<std::string>> lines{{x_axis_}};
    lines[0].insert(lines[0].end(), kHeader.begin(), kHeader.end());
    lines[0].push_back("ours, plotted");
    for (const auto& [x, r] : points_) {
        lines.push_back(cells(r));
        lines.back().push_back(plotted(plot_, x, r.ours));
        std::ostringstream x_text;
        x_text.precision(12);
        x_text << x;
        write_tsv("series", title_, x_axis_, plot_name(plot_), x_text.str(), lines.back(), r);
    }
    print_markdown(title_ + " (" + kLegend + ")", lines);
}

}  // namespace mp::bench

#include "bench/harness/harness.hpp"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>

namespace mp::bench {

namespace {

// "4.07 ms (12%)", with " ~" after a spread over 30%.
std::string cell(const std::optional<Stats>& s, bool is_cpython = false) {
    if (!s) return is_cpython && !python_present() ? "no python3" : "-";
    char spread[32];
    std::snprintf(spread, sizeof spread, " (%.0f%%)", s->spread() * 100);
    return format_seconds(s->median) + spread + (s->noisy() ? " ~" : "");
}

// "1.10", "0.033", "12.5": two decimals, or two significant digits below 0.1.
std::string format_ratio(double value) {
    char text[32];
    std::snprintf(text, sizeof text, value >= 10 ? "%.1f" : value >= 0.1 ? "%.2f" : "%.2g", value);
    return text;
}

// "1.10x (1.02-1.25)": the median of the per-round ratios and their min-max.
std::string ratio_cell(const std::optional<Stats>& r) {
    if (!r) return "-";
    return format_ratio(r->median) + "x (" + format_ratio(r->min) + "-" + format_ratio(r->max) + ")" +
           (r->noisy() ? " ~" : "");
}

const char* ratio_name(Ratio ratio) {
    return ratio == Ratio::ours_raw ? "ours/raw" : "ours/CPython";
}

const std::optional<Stats>& ratio_of(Ratio ratio, const Measured& m) {
    return ratio == Ratio::ours_raw ? m.ours_raw : m.ours_cpython;
}

// "ours/raw <= 1.3: met; ours/CPython <= 0.05: missed".
std::string target_cell(const Row& r) {
    std::string text;
    for (const Target& t : r.targets) {
        char one[96];
        std::snprintf(one, sizeof one, "%s%s <= %.3g: %s", text.empty() ? "" : "; ", ratio_name(t.ratio),
                      t.bound, verdict_name(verdict(t, r.times)));
        text += one;
    }
    return text.empty() ? "-" : text;
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

// The printed cells of one row: scenario, ours, raw, CPython, the two ratios, target, note.
std::vector<std::string> cells(const Row& r) {
    return {r.scenario,
            cell(r.times.ours),
            cell(r.times.raw),
            cell(r.times.cpython, true),
            ratio_cell(r.times.ours_raw),
            ratio_cell(r.times.ours_cpython),
            target_cell(r),
            r.note};
}


const std::vector<std::string> kHeader{"ours",         "raw syscall loop", "CPython", "ours/raw",
                                       "ours/CPython", "target",           "note"};
const char* const kLegend =
    "time per operation: median of the rounds, spread in %; ratios: median of the per-round ratios, "
    "min-max; ~: spread over 30%";

void put(std::ofstream& out, const std::optional<Stats>& s) {
    if (s)
        out << "\t" << s->median << "\t" << s->min << "\t" << s->max;
    else
        out << "\t\t\t";
}

// One TSV line per row: kind, title, x axis, plot, x, then the printed cells
// (scenario, ours, raw, CPython, ours/raw, ours/CPython, target, note), the plotted
// ours (empty in a table), then median, min and max for ours, raw and CPython (in
// seconds) and for the per-round ratios ours/raw and ours/CPython (empty when
// absent), then three fields per target: the ratio's name, the bound, the verdict.
void write_tsv(const std::string& kind, const std::string& title, const std::string& x_axis,
               const std::string& plot, const std::string& x, const std::vector<std::string>& printed,
               const std::string& plotted_ours, const Row& r) {
    std::ofstream out = open_results_tsv();
    if (!out.is_open()) return;
    out.precision(9);
    out << kind << "\t" << title << "\t" << x_axis << "\t" << plot << "\t" << x;
    for (const std::string& c : printed) out << "\t" << c;
    out << "\t" << plotted_ours;
    for (const auto* s :
         {&r.times.ours, &r.times.raw, &r.times.cpython, &r.times.ours_raw, &r.times.ours_cpython})
        put(out, *s);
    for (const Target& t : r.targets)
        out << "\t" << ratio_name(t.ratio) << "\t" << t.bound << "\t" << verdict_name(verdict(t, r.times));
    out << "\n";
}

}  // namespace

std::ofstream open_results_tsv() {
    std::ofstream out;
    if (const char* path = std::getenv("MP_BENCH_TSV")) out.open(path, std::ios::app);
    return out;
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

Verdict verdict(const Target& target, const Measured& measured) {
    const std::optional<Stats>& r = ratio_of(target.ratio, measured);
    if (!r) return Verdict::not_measured;
    // Every round on one side of the bound settles it, however far apart the rounds
    // are: were the true median on the other side, five rounds would all land on
    // this one at most 1 time in 32.
    if (r->max <= target.bound) return Verdict::met;
    if (r->min > target.bound) return Verdict::missed;
    if (r->noisy()) return Verdict::not_conclusive;
    return r->median <= target.bound ? Verdict::met : Verdict::missed;
}

const char* verdict_name(Verdict verdict) {
    switch (verdict) {
        case Verdict::met:
            return "met";
        case Verdict::missed:
            return "missed";
        case Verdict::not_conclusive:
            return "not conclusive";
        case Verdict::not_measured:
            return "not measured";
    }
    return "";
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
        write_tsv("table", title_, "", "", "", lines.back(), "", r);
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
        const std::string plotted_ours = plotted(plot_, x, r.times.ours);
        std::ostringstream x_text;
        x_text.precision(12);
        x_text << x;
        write_tsv("series", title_, x_axis_, plot_name(plot_), x_text.str(), lines.back(), plotted_ours, r);
        lines.back().push_back(plotted_ours);
    }
    print_markdown(title_ + " (" + kLegend + ")", lines);
}

}  // namespace mp::bench

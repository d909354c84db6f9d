"""Turns the rows that the benchmarks appended to $MP_BENCH_TSV (see
bench/harness/harness.cpp, write_tsv) into a RESULTS.md: the machine, one table
and one bar chart per library, a line chart per scaling series, and the headline
chart of the top-level README. The tables hold the very cells printed on the console.

    python3 bench/report/report.py --tsv build/bench/results.tsv --out build/bench/report/RESULTS.md

The charts go to charts/ next to --out. `make bench` writes under build/; only
`make bench-report` copies a report into the committed bench/.
"""
import argparse
import datetime
import os
import platform
import shlex
import subprocess
from collections import OrderedDict

import svg

LIBRARIES = ["sync", "subproc", "threadpool", "ipc", "shm", "pool"]
SERIES_NAMES = ["ours", "raw syscall loop", "CPython"]
CELLS = ["scenario", "ours", "raw syscall loop", "CPython", "ours/raw", "ours/CPython", "target", "note"]
RATIO_CELL = {"ours/raw": 4, "ours/CPython": 5}
VERDICTS = ["met", "missed", "not conclusive", "not measured"]
NOISY = 0.3  # a spread over 30% of the median: marked ~


def noisy(stats):
    return bool(stats) and stats[0] > 0 and (stats[2] - stats[1]) / stats[0] > NOISY


class Row:
    """One TSV line (bench/harness/harness.cpp, write_tsv): the printed cells, the
    plotted ours, (median, min, max) of ours, raw, CPython and of the per-round
    ratios ours/raw and ours/CPython, then (ratio, bound, verdict) per target."""

    def __init__(self, fields):
        self.kind, self.title, self.x_axis, self.plot, x = fields[:5]
        self.x = float(x) if x else None
        self.cells = fields[5:13]
        self.plotted = fields[13]
        triples = []
        for i in range(5):
            triple = fields[14 + 3 * i: 17 + 3 * i]
            triples.append(tuple(float(v) for v in triple) if len(triple) == 3 and triple[0] else None)
        self.stats, self.ratios = triples[:3], {"ours/raw": triples[3], "ours/CPython": triples[4]}
        rest = fields[29:]
        self.targets = [tuple(rest[i:i + 3]) for i in range(0, len(rest) - 2, 3)]

    @property
    def wide_spread(self):
        """A ratio's spread over 30% (or, with no ratio, ours's own)."""
        ratios = [r for r in self.ratios.values() if r]
        return any(noisy(r) for r in ratios) if ratios else noisy(self.stats[0])

    @property
    def library(self):
        name = self.title.split(":")[0]
        return name[len("bin/"):] if name.startswith("bin/") else name


MEMORY_CELLS = ["scenario", "data", "ours", "CPython", "budget", "verdict", "note"]


def read_rows(path):
    """The timed rows, and the memory rows (bench/harness/memory.cpp): (title, cells)."""
    rows, memory = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            fields = line.rstrip("\n").split("\t")
            if fields[0] == "memory":
                memory.append((fields[1], fields[2:]))
            else:
                rows.append(Row(fields))
    return rows, memory


def format_seconds(seconds):
    """As format_seconds in bench/harness/harness.cpp: the labels match the tables."""
    for limit, scale, unit, digits in ((1e-6, 1e9, "ns", 1), (1e-3, 1e6, "us", 2), (1, 1e3, "ms", 2)):
        if seconds < limit:
            return f"{seconds * scale:.{digits}f} {unit}"
    return f"{seconds:.2f} s"


def seconds_tick(seconds):
    for limit, scale, unit in ((1e-6, 1e9, "ns"), (1e-3, 1e6, "us"), (1, 1e3, "ms")):
        if seconds < limit:
            return f"{seconds * scale:g} {unit}"
    return f"{seconds:g} s"


def format_quantity(value, unit):
    for prefix in ("", "k", "M", "G"):
        if value < 1000:
            break
        value /= 1000
    return f"{value:.3g} {prefix}{unit}"


def markdown_table(header, lines):
    def row(cells):
        return "| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |"
    return "\n".join([row(header), "|" + "|".join("---" for _ in header) + "|"] + [row(cells) for cells in lines])


def machine_description(cxx, load_before):
    model = "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            model = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        # CXX may be a command line ("ccache g++"): its compiler answers --version.
        compiler = subprocess.run(shlex.split(cxx) + ["--version"], capture_output=True,
                                  text=True).stdout.splitlines()[0]
    except (OSError, IndexError):
        compiler = cxx
    try:
        with open("/proc/loadavg", encoding="utf-8") as f:
            load_after = " ".join(f.read().split()[:3])
    except OSError:
        load_after = "unknown"
    cores = os.cpu_count() or 1
    lines = [
        f"- Date: {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC",
        f"- CPU: {model}, {cores} cores",
        f"- Kernel: {platform.system()} {platform.release()}",
        f"- Compiler: {compiler} (-O2)",
        f"- CPython: {platform.python_version()}",
        f"- Load average (1, 5, 15 min) before the run: {load_before or 'unknown'}; after: {load_after}",
    ]
    busy = load_before and float(load_before.split()[0]) > 0.5 * cores
    if busy:
        lines.append(f"\n**The machine was loaded by other work during this run** (load average above "
                     f"{0.5 * cores:g} on {cores} cores before it started): absolute figures are slower and "
                     f"noisier than on an idle machine; ratios, measured side by side, hold up better.")
    return "\n".join(lines)


def stats_in(plot, x, stats):
    """(value, low, high) of one series point in the plotted unit."""
    if not stats:
        return None
    median, low, high = stats
    if plot == "seconds":
        return stats
    work = x if plot == "bytes_per_second" else 1
    return (work / median, work / high, work / low)


PLOT_UNITS = {"seconds": ("time per operation", format_seconds, seconds_tick),
              "per_second": ("operations per second", lambda v: format_quantity(v, "/s"), None),
              "bytes_per_second": ("bytes per second", lambda v: format_quantity(v, "B/s"), None)}


def write(path, text):
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def library_section(library, rows, charts_dir, out_dir):
    tables = OrderedDict()
    for r in rows:
        tables.setdefault(r.title, []).append(r)
    # "ipc Manager" charts as ipc-Manager.svg: no blank in a file name a shell user types.
    chart = os.path.join(charts_dir, library.replace(" ", "-") + ".svg")
    groups = [(r.cells[0], r.stats, r.wide_spread) for r in rows]
    write(chart, svg.bar_chart(f"{library}: time per operation (shorter is faster)", groups, SERIES_NAMES,
                               format_seconds, "time per operation, median; whiskers: min-max of the rounds; "
                               "~ and faded: a ratio's spread over 30%",
                               subtitle="; ".join(tables), format_tick=seconds_tick))
    parts = [f"## {library}", "", f"![{library}: ours vs raw vs CPython]({os.path.relpath(chart, out_dir)})", ""]
    for title, table_rows in tables.items():
        parts += [f"### {title}", "", markdown_table(CELLS, [r.cells for r in table_rows]), ""]
    return parts


def series_section(title, rows, index, charts_dir, out_dir):
    plot = rows[0].plot
    unit, formatter, tick = PLOT_UNITS[plot]
    chart = os.path.join(charts_dir, f"scaling-{index}.svg")
    series = OrderedDict((name, [stats_in(plot, r.x, r.stats[i]) for r in rows])
                         for i, name in enumerate(SERIES_NAMES))
    better = "lower is faster" if plot == "seconds" else "higher is faster"
    labels = [("~" if r.wide_spread else "") + r.cells[0] for r in rows]
    write(chart, svg.line_chart(title.removeprefix("scaling: ").split(" (")[0], labels,
                                series, formatter, rows[0].x_axis, unit,
                                subtitle=f"{unit}, median of the rounds ({better}); whiskers: min-max; "
                                         f"~ and hollow: a ratio's spread over 30%",
                                format_tick=tick, wide_spread=[r.wide_spread for r in rows]))
    header = [rows[0].x_axis] + CELLS[1:] + ["ours, plotted"]
    return [f"### {title}", "", f"![{title}]({os.path.relpath(chart, out_dir)})", "",
            markdown_table(header, [r.cells + [r.plotted] for r in rows]), ""]


def headline_chart(rows, path):
    """How many times faster than CPython ours is, for every scenario that has both:
    the inverse of the per-round ratios ours/CPython (median, whiskers min-max)."""
    groups = []
    for r in rows:
        ratio = r.ratios["ours/CPython"]
        if r.kind == "table" and ratio and ratio[1] > 0:
            median, low, high = ratio
            groups.append((f"{r.library}: {r.cells[0]}", [(1 / median, 1 / high, 1 / low)], noisy(ratio)))
    write(path, svg.bar_chart("mp against CPython: times faster, per scenario", groups, ["mp"],
                              lambda v: f"{v:.3g}x" if v < 1000 else f"{v:,.0f}x",
                              "CPython time / mp time, per round (longer is better)", reference=1,
                              subtitle="the dashed line is as fast as CPython; median of the rounds, whiskers "
                                       "min-max; ~ and faded: spread over 30%"))


def memory_section(memory):
    """The memory tables, each row with its budget and verdict."""
    if not memory:
        return []
    tables = OrderedDict()
    for title, cells in memory:
        tables.setdefault(title, []).append(cells)
    parts = ["## Memory", "",
             "Peak resident memory as the work grows, each scenario in a fresh process (bench/memory_bench.cpp, "
             "CPython's in bench/memory_bench.py): the parent's peak is its VmHWM, a worker's the largest peak "
             "among its waited-for children (getrusage RUSAGE_CHILDREN). The goal is no more than the data itself "
             "plus a small constant per process, the constant being **8 MiB** (a process with its libraries, "
             "stacks and the pool's threads). The budget column says what each process may hold: the parent the "
             "data it is asked to hold, a worker one chunk in and out; `met` when every figure of ours is within "
             "it. For /dev/shm the budget is one tmpfs page (4096 B) per object, the least a file takes.", ""]
    for title, rows in tables.items():
        parts += [f"### {title}", "", markdown_table(MEMORY_CELLS, rows), ""]
    return parts


def raw_against_cpython(row, bound):
    """The raw loop's median over CPython's, marked when it is above the target's
    bound (summary_section says what that means)."""
    raw, cpython = row.stats[1], row.stats[2]
    if not raw or not cpython or cpython[0] <= 0:
        return "-"
    floor = raw[0] / cpython[0]
    return f"{floor:.2g}x" + (" > bound" if floor > bound else "")


def summary_section(rows, memory=()):
    """One line per target: the scenario, the target, the measured ratio, the verdict."""
    lines, counts = [], {v: 0 for v in VERDICTS}
    for r in rows:
        for ratio, bound, verdict in r.targets:
            counts[verdict] = counts.get(verdict, 0) + 1
            where = f"{r.title.split(':')[0]}: {r.cells[0].strip()}" + (f" ({r.x_axis})" if r.kind == "series" else "")
            lines.append([where, f"{ratio} <= {float(bound):.3g}", r.cells[RATIO_CELL[ratio]],
                          raw_against_cpython(r, float(bound)) if ratio == "ours/CPython" else "-",
                          f"**{verdict}**" if verdict == "missed" else verdict])
    for title, cells in memory:
        scenario, _, ours, _, budget, verdict, _ = cells
        counts[verdict] = counts.get(verdict, 0) + 1
        lines.append([f"memory: {scenario}", budget, ours, "-", f"**{verdict}**" if verdict == "missed" else verdict])
    if not lines:
        return ["## Targets", "", "No row of this run carries a target.", ""]
    tally = ", ".join(f"{counts[v]} {v}" for v in VERDICTS if counts[v] or v != "not measured")
    return ["## Targets", "",
            f"{len(lines)} targets: {tally}. A target is met when every round's ratio is within its bound, "
            "missed when every round's is outside it. When rounds fall on both sides, the median of the "
            "per-round ratios decides if their spread, (max - min) / median, is at most 30%; with a wider "
            "spread the target is not conclusive (rerun on a quieter machine). For a target "
            "against CPython, `raw loop/CPython` is the raw loop's own ratio (of the medians). Where it is above "
            "the bound (marked `> bound`), the target asks for more than the plain system calls give: reachable "
            "where ours makes fewer of them than the raw loop (a queue that batches, a map in chunks), not where "
            "the raw loop is the floor (a round trip, a thread's start).", "",
            markdown_table(["scenario", "target", "measured (a ratio: median of the rounds, min-max)",
                            "raw loop/CPython", "verdict"], lines), ""]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tsv", required=True)
    parser.add_argument("--out", default="build/bench/report/RESULTS.md")
    parser.add_argument("--cxx", default=os.environ.get("CXX", "g++"))
    parser.add_argument("--load-before", default="", help="/proc/loadavg's first three fields at the start")
    args = parser.parse_args()

    rows, memory = read_rows(args.tsv)
    out_dir = os.path.dirname(os.path.abspath(args.out))
    charts_dir = os.path.join(out_dir, "charts")
    os.makedirs(charts_dir, exist_ok=True)

    tables = [r for r in rows if r.kind == "table"]
    libraries = [l for l in LIBRARIES if any(r.library == l for r in tables)]
    libraries += sorted({r.library for r in tables} - set(libraries))
    headline_chart(tables, os.path.join(charts_dir, "headline.svg"))

    parts = ["# mp benchmark results", "",
             "Written by `make bench` (bench/report/report.py) from the run described below; every figure is "
             "the one that run printed on its console. How to read them, and what the raw syscall loop of each "
             "scenario is: [bench/README.md](README.md).", ""] + summary_section(rows, memory) + [
             "## Machine", "", machine_description(args.cxx, args.load_before), "",
             "## Summary", "", "![mp against CPython](charts/headline.svg)", "",
             "## Reading the tables", "",
             "Ours, the raw loop and CPython take turns round by round (who goes first rotates), at least 5 "
             "rounds after a warm-up, so that drift in the machine's load falls on all three alike. Each time "
             "is the median time per operation over the rounds; the percentage after it is their spread, "
             "(max - min) / median. `ours/raw` and `ours/CPython` are the median of the per-round ratios with "
             "their min-max: `1.10x (1.02-1.25)` is 10% slower than the limit; `0.05x` is twenty times faster "
             "than CPython. `~` marks a spread over 30%, in the tables and in the charts (a faded bar, a hollow "
             "point): such a ratio is only as good as the verdict on its target says. The charts show the "
             "medians with min-max whiskers.", ""]
    for library in libraries:
        parts += library_section(library, [r for r in tables if r.library == library], charts_dir, out_dir)
    series = OrderedDict()
    for r in rows:
        if r.kind == "series":
            series.setdefault(r.title, []).append(r)
    if series:
        parts += ["## Scaling: how cost grows with the work", ""]
        for index, (title, series_rows) in enumerate(series.items(), 1):
            parts += series_section(title, series_rows, index, charts_dir, out_dir)
    parts += memory_section(memory)
    write(args.out, "\n".join(parts).rstrip() + "\n")
    print(f"report: wrote {args.out} and {len(libraries) + len(series) + 1} charts in {charts_dir}")


if __name__ == "__main__":
    main()

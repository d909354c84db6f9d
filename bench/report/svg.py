"""A small SVG writer for the benchmark report: horizontal bar charts (one group of
bars per scenario) and line charts over evenly spaced x values, each drawn with
min-max whiskers, on a log axis when the values span more than 30x. Plain SVG 1.1
that every browser renders; no plotting dependency."""
import math
from xml.sax.saxutils import escape

FONT = "font-family='DejaVu Sans, Helvetica, Arial, sans-serif'"
COLORS = {"ours": "#1f77b4", "mp": "#1f77b4", "raw syscall loop": "#8c8c8c", "CPython": "#ff7f0e"}
FALLBACK_COLORS = ["#2ca02c", "#d62728", "#9467bd"]


def color_of(name, index):
    return COLORS.get(name, FALLBACK_COLORS[index % len(FALLBACK_COLORS)])


class Canvas:
    """Accumulates SVG elements; str() gives the document."""

    def __init__(self, width, height):
        self.width, self.height = width, height
        self.parts = []

    def rect(self, x, y, w, h, fill, tip=None, faded=False):
        body = f"<title>{escape(tip)}</title>" if tip else ""
        fade = " fill-opacity='0.35'" if faded else ""
        self.parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0.5):.1f}' height='{h:.1f}' "
                          f"fill='{fill}'{fade}>{body}</rect>")
        if faded:  # hatched over the faded colour: still readable in grey print
            self.parts.append(f"<rect x='{x:.1f}' y='{y:.1f}' width='{max(w, 0.5):.1f}' height='{h:.1f}' "
                              f"fill='url(#hatch)'/>")

    def line(self, x1, y1, x2, y2, stroke="#000", width=1, dash=None):
        dashes = f" stroke-dasharray='{dash}'" if dash else ""
        self.parts.append(f"<line x1='{x1:.1f}' y1='{y1:.1f}' x2='{x2:.1f}' y2='{y2:.1f}' "
                          f"stroke='{stroke}' stroke-width='{width}'{dashes}/>")

    def polyline(self, points, stroke, width=2):
        text = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        self.parts.append(f"<polyline points='{text}' fill='none' stroke='{stroke}' stroke-width='{width}'/>")

    def circle(self, x, y, r, fill, tip=None, hollow=False):
        body = f"<title>{escape(tip)}</title>" if tip else ""
        paint = f"fill='white' stroke='{fill}' stroke-width='2'" if hollow else f"fill='{fill}'"
        self.parts.append(f"<circle cx='{x:.1f}' cy='{y:.1f}' r='{r}' {paint}>{body}</circle>")

    def text(self, x, y, content, size=12, anchor="start", weight="normal", fill="#222", rotate=None):
        turn = f" transform='rotate({rotate} {x:.1f} {y:.1f})'" if rotate is not None else ""
        self.parts.append(f"<text x='{x:.1f}' y='{y:.1f}' {FONT} font-size='{size}' text-anchor='{anchor}' "
                          f"font-weight='{weight}' fill='{fill}'{turn}>{escape(content)}</text>")

    def __str__(self):
        return (f"<svg xmlns='http://www.w3.org/2000/svg' width='{self.width}' height='{self.height}' "
                f"viewBox='0 0 {self.width} {self.height}'>\n"
                f"<defs><pattern id='hatch' width='6' height='6' patternUnits='userSpaceOnUse' "
                f"patternTransform='rotate(45)'><line x1='0' y1='0' x2='0' y2='6' stroke='#555' "
                f"stroke-width='1.5'/></pattern></defs>\n"
                f"<rect width='100%' height='100%' fill='white'/>\n" + "\n".join(self.parts) + "\n</svg>\n")


class Axis:
    """Maps values onto [start, end] pixels, linearly from 0 or logarithmically."""

    def __init__(self, values, start, end):
        values = [v for v in values if v and v > 0]
        low, high = (min(values), max(values)) if values else (1, 10)
        self.log = high / low > 30
        if self.log:
            self.low = 10 ** math.floor(math.log10(low))
            self.high = 10 ** math.ceil(math.log10(high))
            if self.high <= self.low:
                self.high = self.low * 10
        else:
            self.low, self.high = 0, nice_ceiling(high)
        self.start, self.end = start, end

    def __call__(self, value):
        if self.log:
            value = min(max(value, self.low), self.high)
            share = math.log10(value / self.low) / math.log10(self.high / self.low)
        else:
            share = value / self.high
        return self.start + share * (self.end - self.start)

    def ticks(self):
        if self.log:
            exponent = round(math.log10(self.low))
            ticks = []
            while 10 ** exponent <= self.high * 1.0001:
                ticks.append(10 ** exponent)
                exponent += 1
            return ticks
        return [self.high * i / 5 for i in range(6)]


def nice_ceiling(value):
    """The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value."""
    if value <= 0:
        return 1
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


def legend(canvas, names, x, y):
    for i, name in enumerate(names):
        canvas.rect(x, y - 10, 12, 12, color_of(name, i))
        canvas.text(x + 17, y, name, size=12)
        x += 34 + 6.6 * len(name)  # the label's width at 12 px, roughly


def shorten(label, limit):
    return label if len(label) <= limit else label[: limit - 1] + "…"


def bar_chart(title, groups, series, format_value, axis_label, subtitle="", reference=None, format_tick=None):
    """Horizontal bars: `groups` is [(label, [stats or None per series], wide_spread)],
    stats being (median, min, max). One group per scenario, one bar per series, whiskers
    min-max; a wide_spread group's bars are faded and hatched and its label has "~";
    `reference`, a value to mark with a dashed line; `format_tick` labels the axis
    (default: `format_value`)."""
    format_tick = format_tick or format_value
    bar, gap, label_width, plot_width = 14, 12, 330, 520
    top = 70 if subtitle else 56
    height = top + len(groups) * (len(series) * bar + gap) + 60
    canvas = Canvas(label_width + plot_width + 120, height)
    canvas.text(12, 24, title, size=16, weight="bold")
    if subtitle:
        canvas.text(12, 44, subtitle, size=12, fill="#555")
    legend(canvas, series, label_width, top - 12)
    values = [v for _, stats, _ in groups for s in stats if s for v in s]
    axis = Axis(values, label_width, label_width + plot_width)
    bottom = height - 45
    for tick in axis.ticks():
        x = axis(tick)
        canvas.line(x, top, x, bottom, stroke="#ddd")
        canvas.text(x, bottom + 16, format_tick(tick), size=11, anchor="middle", fill="#555")
    canvas.text(label_width + plot_width / 2, bottom + 34,
                axis_label + (" (log scale)" if axis.log else ""), size=12, anchor="middle", fill="#555")
    y = top
    for label, stats, wide_spread in groups:
        label = ("~ " if wide_spread else "") + label
        canvas.text(label_width - 8, y + len(series) * bar / 2 + 4, shorten(label, 48), anchor="end")
        for i, (name, s) in enumerate(zip(series, stats)):
            if s:
                median, low, high = s
                start = axis.start
                canvas.rect(start, y + 1, axis(median) - start, bar - 2, color_of(name, i),
                            tip=f"{label} — {name}: {format_value(median)} (min {format_value(low)}, "
                                f"max {format_value(high)})", faded=wide_spread)
                canvas.line(axis(low), y + bar / 2, axis(high), y + bar / 2, stroke="#000")
                canvas.line(axis(low), y + 3, axis(low), y + bar - 3)
                canvas.line(axis(high), y + 3, axis(high), y + bar - 3)
                canvas.text(max(axis(median), axis(high)) + 4, y + bar - 3, format_value(median), size=10,
                            fill="#333")
            y += bar
        y += gap
    canvas.line(axis.start, top, axis.start, bottom, stroke="#444")
    if reference is not None:
        canvas.line(axis(reference), top, axis(reference), bottom, stroke="#d62728", width=1.5, dash="5,4")
    return str(canvas)


def line_chart(title, x_labels, series, format_value, x_label, y_label, subtitle="", format_tick=None,
               wide_spread=None):
    """Lines over evenly spaced x values: `series` is {name: [stats or None per x]},
    stats being (value, low, high) in the plotted unit; whiskers low-high. The points
    at an x whose `wide_spread` entry is true are drawn hollow."""
    wide_spread = wide_spread or [False] * len(x_labels)
    format_tick = format_tick or format_value
    left, right, top, plot_height, plot_width = 90, 50, 80 if subtitle else 66, 300, 620
    canvas = Canvas(left + plot_width + right, top + plot_height + 70)
    canvas.text(12, 24, title, size=16, weight="bold")
    if subtitle:
        canvas.text(12, 44, subtitle, size=12, fill="#555")
    legend(canvas, list(series), left, top - 20)
    values = [v for points in series.values() for s in points if s for v in s]
    axis = Axis(values, top + plot_height, top)
    bottom = top + plot_height
    for tick in axis.ticks():
        y = axis(tick)
        canvas.line(left, y, left + plot_width, y, stroke="#ddd")
        canvas.text(left - 6, y + 4, format_tick(tick), size=11, anchor="end", fill="#555")
    step = plot_width / max(len(x_labels) - 1, 1) if len(x_labels) > 1 else 0
    xs = [left + (i * step if len(x_labels) > 1 else plot_width / 2) for i in range(len(x_labels))]
    for x, label in zip(xs, x_labels):
        canvas.line(x, bottom, x, bottom + 4, stroke="#444")
        canvas.text(x, bottom + 18, label, size=11, anchor="middle", fill="#333")
    canvas.text(left + plot_width / 2, bottom + 40, x_label, size=12, anchor="middle", fill="#555")
    canvas.text(18, top + plot_height / 2, y_label + (" (log scale)" if axis.log else ""), size=12,
                anchor="middle", fill="#555", rotate=-90)
    for i, (name, points) in enumerate(series.items()):
        colour = color_of(name, i)
        run = []
        for x, label, s, faint in zip(xs, x_labels, points, wide_spread):
            if not s:
                if len(run) > 1:
                    canvas.polyline(run, colour)
                run = []
                continue
            value, low, high = s
            run.append((x, axis(value)))
            canvas.line(x, axis(low), x, axis(high), stroke=colour, width=1.5)
            canvas.circle(x, axis(value), 4, colour,
                          tip=f"{name} at {label}: {format_value(value)} (rounds {format_value(low)} to "
                              f"{format_value(high)})", hollow=faint)
        if len(run) > 1:
            canvas.polyline(run, colour)
    canvas.line(left, top, left, bottom, stroke="#444")
    canvas.line(left, bottom, left + plot_width, bottom, stroke="#444")
    return str(canvas)

"""The results as a Markdown table (printed, and pasted into bench/README.md), JSON and a plot."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from bench.limits import FRACTIONS
from bench.metrics import ALL_METRICS, Metric, title
from bench.runner import Results


def _number(value: float | None) -> str:
    if value is None or math.isnan(value):
        return "–"
    if value >= 100:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}"


def _verdict(metric: Metric, ratio: float) -> str:
    if math.isnan(ratio):
        return "–"
    word = "better" if ratio > 1.0 else "worse" if ratio < 1.0 else "equal"
    if metric.target is None:
        return word
    met = "met" if ratio >= metric.target else "MISSED"
    return f"{word}; target ≥{metric.target:.2f}× {met}"


def rows(results: Results) -> list[dict[str, Any]]:
    """One row per metric measured: values per server, ratio of each Dockyard to the first."""
    baseline = results.servers[0]
    out = []
    for metric in ALL_METRICS:
        if metric.key not in results.rounds:
            continue
        values = {label: results.value(metric.key, label) for label in results.servers}
        base = values[baseline]
        ratios = {
            label: metric.ratio(base or 0.0, value or 0.0)
            for label, value in values.items()
            if label != baseline
        }
        out.append({"metric": metric, "values": values, "ratios": ratios})
    return out


def table(results: Results) -> str:
    others = results.servers[1:]
    head = ["metric", "unit", *results.servers]
    if len(others) == 1:
        head += ["ratio", "better/worse (target)"]
    else:
        head += [f"ratio {label}" for label in others]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for row in rows(results):
        metric: Metric = row["metric"]
        cells = [title(metric, results.profile), metric.unit]
        cells += [_number(row["values"][label]) for label in results.servers]
        cells += [f"{row['ratios'][label]:.2f}×" for label in others]
        if len(others) == 1:
            cells.append(_verdict(metric, row["ratios"][others[0]]))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def limits_table(results: Results) -> str:
    if not results.limits:
        return ""
    lines = ["| ceiling | MiB/s |", "|---|---|"]
    lines += [f"| {key} | {_number(value)} |" for key, value in results.limits.items()]
    fractions = fraction_lines(results)
    return "\n".join(lines + ([""] + fractions if fractions else []))


def fraction_lines(results: Results) -> list[str]:
    out = []
    for label in results.servers:
        for key, ceilings in FRACTIONS:
            value = results.value(key, label)
            if value is None:
                continue
            parts = [
                f"{value / results.limits[c]:.0%} of {c}" for c in ceilings if c in results.limits
            ]
            out.append(f"- {label} {key} {_number(value)} MiB/s = " + ", ".join(parts))
    return out


def to_json(results: Results) -> dict[str, Any]:
    metrics = []
    for row in rows(results):
        metric: Metric = row["metric"]
        metrics.append(
            {
                "key": metric.key,
                "title": title(metric, results.profile),
                "unit": metric.unit,
                "higher_is_better": metric.higher_is_better,
                "target_ratio": metric.target,
                "values": row["values"],
                "rounds": results.rounds[metric.key],
                "ratios": row["ratios"],
            }
        )
    return {
        "date": results.date,
        "profile": results.profile.name,
        "machine": results.machine,
        "servers": results.servers,
        "metrics": metrics,
        "limits": results.limits,
        "notes": results.notes,
    }


def write_json(results: Results, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(to_json(results), indent=2, allow_nan=False, default=_nan) + "\n")


def _nan(value: object) -> object:
    raise TypeError(f"not serialisable: {value!r}")


def plot(results: Results, path: Path) -> None:
    """A horizontal bar per metric: the ratio (log scale), 1× and the target marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    data = rows(results)
    others = results.servers[1:]
    height = 0.8 / max(1, len(others))
    fig, ax = plt.subplots(figsize=(10, 0.45 * len(data) * max(1, len(others)) + 1.5))
    labels = [title(row["metric"], results.profile) for row in data]
    for i, label in enumerate(others):
        ys = [n + i * height for n in range(len(data))]
        ratios = [row["ratios"][label] for row in data]
        colors = [_color(row["metric"], r) for row, r in zip(data, ratios, strict=True)]
        ax.barh(
            ys,
            [r if not math.isnan(r) else 0 for r in ratios],
            height=height,
            color=colors,
            edgecolor="black",
            linewidth=0.3,
            label=label,
        )
        for y, r in zip(ys, ratios, strict=True):
            if not math.isnan(r):
                ax.text(r, y, f" {r:.2f}×", va="center", fontsize=7)
    for n, row in enumerate(data):
        target = row["metric"].target
        if target is not None:
            ax.plot([target, target], [n - 0.45, n + 0.45], color="black", linestyle=":")
    ax.axvline(1.0, color="black", linewidth=1)
    ax.set_xscale("log")
    ax.set_yticks([n + height * (len(others) - 1) / 2 for n in range(len(data))], labels)
    ax.invert_yaxis()
    ax.set_xlabel("Dockyard vs Distribution (>1 = Dockyard better; dotted: target)")
    ax.set_title(f"Dockyard / Distribution — {results.date}, {results.machine.get('cores')} cores")
    if len(others) > 1:
        ax.legend(fontsize=7)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _color(metric: Metric, ratio: float) -> str:
    if math.isnan(ratio):
        return "grey"
    bar = metric.target if metric.target is not None else 1.0
    return "#4caf50" if ratio >= bar else "#e57373"

"""``python -m bench [full|smoke|limits]``: run the side-by-side benchmark and report it."""

from __future__ import annotations

import argparse
import logging
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import report, runner
from bench.metrics import GROUPS
from bench.profile import PROFILES
from bench.servers import DISTRIBUTION_BINARY, Variant

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TOOLS = (DISTRIBUTION_BINARY, "wrk", "skopeo")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "mode",
        nargs="?",
        default="full",
        choices=["full", "smoke", "limits"],
        help="full: the table; smoke: seconds, proves the harness works; "
        "limits: machine ceilings and blob transfer as fractions of them",
    )
    parser.add_argument(
        "--servers",
        default="distribution,granian",
        help="comma-separated: distribution (always first), granian[:workers[:readbuffer]], "
        "uvicorn[:workers]; e.g. distribution,granian:1,granian:2,granian:1:131072",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated groups: " + ",".join(g.name for g in GROUPS)
    )
    parser.add_argument("--rounds", type=int, help="rounds per metric (default: by profile)")
    parser.add_argument("--json", type=Path, help="write results here (default: bench/results/)")
    parser.add_argument("--plot", type=Path, help="write the ratio plot here (PNG)")
    parser.add_argument("--no-plot", action="store_true", help="skip the PNG")
    parser.add_argument("--workdir", type=Path, help="data directories (default: a temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    return parser.parse_args(argv)


def ensure_tools() -> None:
    """Install Distribution, wrk and skopeo through scripts/system-packages when missing."""
    if all(shutil.which(tool) for tool in TOOLS):
        return
    subprocess.run([str(REPO / "scripts" / "system-packages")], check=True)
    missing = [tool for tool in TOOLS if not shutil.which(tool)]
    if missing:
        sys.exit(f"bench: missing {', '.join(missing)} after scripts/system-packages")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", datefmt="%H:%M:%S")
    ensure_tools()
    profile = PROFILES["smoke" if args.mode == "smoke" else "full"]
    if args.rounds:
        profile = type(profile)(**{**vars(profile), "rounds": args.rounds})
    variants = [Variant.parse(spec.strip()) for spec in args.servers.split(",") if spec.strip()]
    if variants[0].kind != "distribution" or len(variants) < 2:
        sys.exit("bench: --servers must start with distribution and name at least one Dockyard")
    wanted = {name.strip() for name in args.only.split(",") if name.strip()}
    if args.mode == "limits":
        wanted = wanted or {"upload", "download"}
    unknown = wanted - {g.name for g in GROUPS}
    if unknown:
        sys.exit(f"bench: unknown groups {sorted(unknown)}")
    groups = [g for g in GROUPS if not wanted or g.name in wanted]
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="dockyard-bench-"))
    try:
        results = runner.run(profile, variants, workdir, groups)
        report_results(args, results)
    finally:
        if not args.keep:
            # rm(1) removes the ~100,000 fixture files many times faster than shutil.rmtree.
            subprocess.run(["rm", "-rf", str(workdir)], check=False)
    return 0


def report_results(args: argparse.Namespace, results: runner.Results) -> None:
    profile = results.profile
    print()
    print(f"{results.date} · {profile.name} · {describe(results.machine)}")
    print()
    if args.mode != "limits":
        print(report.table(results))
        print()
    print(report.limits_table(results))
    if results.notes:
        print(f"\nnotes: {results.notes}")
    json_path = args.json or RESULTS / f"{args.mode}.json"
    report.write_json(results, json_path)
    print(f"\nJSON: {json_path}")
    if not args.no_plot and args.mode != "limits":
        plot_path = args.plot or RESULTS / f"{args.mode}.png"
        report.plot(results, plot_path)
        print(f"plot: {plot_path}")


def describe(machine: dict[str, object]) -> str:
    return (
        f"{machine.get('cores')} cores ({machine.get('cpu', '?')}), "
        f"{machine.get('memory_gib')} GiB, Linux {machine.get('kernel')}, "
        f"Python {machine.get('python')}, granian {machine.get('granian')}, "
        f"load average at start {machine.get('load_average', 0):.2f}"
    )

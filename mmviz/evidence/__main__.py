"""Rerun the notebooks' claims on your own seeds.

    python -m mmviz.evidence --list                          one line per claim: "NN name: sentence"
    python -m mmviz.evidence 05 07 --seeds 100-104           rerun those notebooks' experiments, print a table
    python -m mmviz.evidence 05 --claim aligned-learns --seeds 7301-7305 --check   exit 1 if a claim fails
    python -m mmviz.evidence 05 --write                      regenerate the committed evidence (its seeds)
"""
from __future__ import annotations

import argparse
import sys
import textwrap

from . import EXPERIMENTS, claims_of, load, run, save, to_json


def parse_seeds(text):
    """"100-104" → [100, ..., 104]; "3,5,9" → [3, 5, 9]; "7" → [7]."""
    seeds = []
    try:
        for part in text.split(","):
            low, _, high = part.strip().partition("-")
            low, high = int(low), int(high or low)
            if high < low or high - low > 1000:
                raise ValueError
            seeds.extend(range(low, high + 1))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"seeds are a range A-B or a list A,B,C of ints >= 0 (at most 1001 in a range), "
            f"got {text!r}") from None
    return seeds


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m mmviz.evidence", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("notebooks", nargs="*", help="two-digit notebook numbers (default: all)")
    parser.add_argument("--list", action="store_true", help="list the claims and exit")
    parser.add_argument("--seeds", type=parse_seeds, help="seeds to rerun on, e.g. 100-104 or 3,5,9")
    parser.add_argument("--claim", action="append", help="rerun this claim only (repeatable)")
    parser.add_argument("--check", action="store_true", help="exit 1 when a claim does not hold")
    parser.add_argument("--write", action="store_true",
                        help="store the results as the committed evidence (maintainers)")
    parser.add_argument("--processes", type=int, default=2, help="worker processes (default 2)")
    args = parser.parse_args(argv)
    try:
        chosen = claims_of(args.notebooks or None, args.claim)
    except ValueError as error:
        parser.error(str(error))
    if args.list:
        for c in chosen:
            print(f"{c.notebook} {c.name}: {c.sentence}")
        return 0
    if args.seeds is None and not args.write:
        parser.error("say which seeds to rerun on, e.g. --seeds 100-104 (or --write to regenerate the "
                     "committed evidence on its own seeds)")
    keys = list(dict.fromkeys((c.notebook, c.experiment) for c in chosen))
    if args.write and args.claim:
        parser.error("--write regenerates whole experiments: name notebooks, not --claim")
    print(f"Rerunning {len(keys)} experiment(s) for {len(chosen)} claim(s) of notebook(s) "
          f"{', '.join(sorted({c.notebook for c in chosen}))} on seeds {args.seeds or 'committed'} ...",
          file=sys.stderr)
    results = run(keys, args.seeds, processes=args.processes)
    if args.write:
        for number in sorted({k[0] for k in keys}):
            entries = {k[1]: to_json(EXPERIMENTS[k], *results[k]) for k in keys if k[0] == number}
            print(f"wrote {save(number, entries)}")
    failed = 0
    for c in chosen:
        fresh = c.judge(results[c.notebook, c.experiment][0])
        try:
            stated = c.judge(load(c.notebook, c.experiment)).measured
        except ValueError:
            stated = "(no committed evidence)"
        failed += not fresh.holds
        print(f"\n{c.notebook} {c.name}: {'HOLDS' if fresh.holds else 'DOES NOT HOLD'}")
        for label, text in (("claim", c.sentence), ("committed", stated), ("measured", fresh.measured)):
            print(textwrap.fill(text, 110, initial_indent=f"  {label:<10}", subsequent_indent=" " * 12))
    print(f"\n{len(chosen) - failed} of {len(chosen)} claims hold on these seeds.")
    return 1 if (args.check and failed) else 0


if __name__ == "__main__":
    sys.exit(main())

"""CPU time of the recogniser alone (``geo.mentions.recognise``), optionally beside an older tree's.

    python benchmarks/recognise.py ../shared/corpora/GWN.xml ../shared/corpora/lgl.xml \
        --documents 1000 --rounds 5 [--demonyms] [--baseline /tmp/old-tree]

The documents are those of ``throughput.py`` (corpus order, repeated up to ``--documents``);
their reading views and passages are made once, so only ``recognise()`` is timed, with
``time.process_time()`` after one warm-up pass (without a trace), and the minimum of
``--rounds`` is reported.
With ``--baseline DIR`` (e.g. ``git archive <commit> | tar -x -C DIR``) that tree's
``geo/mentions.py`` is loaded beside this one, both share the gazetteer and its caches, the
two alternate round by round, and the spans and traces of both are checked to be identical.
Run by hand (not part of the tests); results are recorded in docs/speed.md.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path
from types import ModuleType


def _load_baseline(tree: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location("baseline_mentions", tree / "geo" / "mentions.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpora", nargs="+", type=Path)
    parser.add_argument("--documents", type=int, default=1000)
    parser.add_argument("--rounds", type=int, default=5)
    from geo.weights import COUNT_DEMONYMS

    parser.add_argument("--demonyms", action=argparse.BooleanOptionalAction, default=COUNT_DEMONYMS)
    parser.add_argument("--baseline", type=Path, help="an older source tree to compare with")
    args = parser.parse_args()

    import geo.mentions
    from geo.evaluate import read_corpus
    from geo.gazetteer import Gazetteer
    from geo.model import Article
    from geo.passages import reading_view, split_view

    gold = [doc for path in args.corpora for doc in read_corpus(path)[0]]
    views = [reading_view(Article(id="", text=gold[i % len(gold)].text))
             for i in range(args.documents)]  # fmt: skip
    prepared = [(view.text, split_view(view)) for view in views]
    gazetteer = Gazetteer.default()
    systems = {"this tree": geo.mentions}
    if args.baseline is not None:
        systems = {"baseline": _load_baseline(args.baseline), **systems}

    def run(module: ModuleType, traced: bool = False) -> list[object]:
        out: list[object] = []
        for text, passages in prepared:
            trace: list[dict[str, object]] | None = [] if traced else None
            spans = module.recognise(
                text, gazetteer, passages=passages, demonyms=args.demonyms, trace=trace
            )
            out.append((repr(spans), trace))
        return out

    # Warm-up, and the outputs with every rule's trace (storymap geoparse --explain).
    outputs = [run(module, traced=True) for module in systems.values()]
    times: dict[str, list[float]] = {name: [] for name in systems}
    for _ in range(args.rounds):
        for name, module in systems.items():
            start = time.process_time()
            run(module)
            times[name].append(round(time.process_time() - start, 3))
    result: dict[str, object] = {
        name: {"min_s": min(t), "rounds_s": t} for name, t in times.items()
    }
    result["identical_output"] = all(out == outputs[0] for out in outputs)
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

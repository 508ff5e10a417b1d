"""RDFC-1.0 canonicalisation of an Open Badges 3.0 credential: the candidates, measured.

What eddsa-rdfc-2022 spends its time on is JSON-LD expansion, JSON-LD to RDF and RDF
canonicalisation. Candidates, all reading the same bundled contexts (nothing fetched):

- credledger: its own JSON-LD 1.1 processor (safe mode, cached contexts) and RDFC-1.0
- credledger + pyoxigraph: the same JSON-LD to RDF, canonicalised by pyoxigraph (Rust)
- pyld: ``jsonld.normalize`` (URDNA2015), the baseline; it has no safe mode
- pyld + pyoxigraph: pyld's ``to_rdf``, canonicalised by pyoxigraph

Every candidate's output is compared with credledger's before timing.

    .venv/bin/python bench/canonicalize_bench.py [--seconds 1.0] [FILE ...]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from credledger.crypto.jsonld_documents import DocumentLoader
from credledger.crypto.jsonld_expand import expand
from credledger.crypto.jsonld_rdf import to_rdf
from credledger.crypto.rdfc import canonicalize, serialize_quad
from pyld import jsonld

BENCH = Path(__file__).resolve().parent
DEFAULT_FILES = [
    BENCH / "data" / "ob3_microcredential.json",
    BENCH.parent.parent / "shared" / "examples" / "edubadges" / "ref_ob3_full_example.json",
]


def _oxigraph(nquads: str) -> str:
    dataset = ox.Dataset(ox.parse(nquads, ox.RdfFormat.N_QUADS))
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return "".join(sorted(f"{quad} .\n" for quad in dataset))


def candidates(loader: DocumentLoader) -> dict[str, Callable[[Any], str]]:
    def pyld_loader(url: str, options: Any = None) -> dict[str, Any]:
        return {"contextUrl": None, "documentUrl": url, "document": loader.load(url)}

    def ours(document: Any) -> str:
        return canonicalize(document, loader)

    def ours_oxigraph(document: Any) -> str:
        quads = to_rdf(expand(document, loader))
        return _oxigraph("".join(serialize_quad(*quad) for quad in quads))

    def pyld_normalize(document: Any) -> str:
        options = {
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
            "documentLoader": pyld_loader,
        }
        result: str = jsonld.normalize(document, options)
        return result

    def pyld_oxigraph(document: Any) -> str:
        options = {"format": "application/n-quads", "documentLoader": pyld_loader}
        return _oxigraph(jsonld.to_rdf(document, options))

    return {
        "credledger": ours,
        "credledger + pyoxigraph": ours_oxigraph,
        "pyld (baseline)": pyld_normalize,
        "pyld + pyoxigraph": pyld_oxigraph,
    }


def _rate(function: Callable[[Any], str], document: Any, seconds: float) -> float:
    for _ in range(3):
        function(document)
    count, start = 0, time.perf_counter()
    while (elapsed := time.perf_counter() - start) < seconds:
        function(document)
        count += 1
    return count / elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--seconds", type=float, default=1.0, help="time per candidate")
    args = parser.parse_args()
    loader = DocumentLoader()
    report: dict[str, Any] = {}
    for path in [p for p in (args.files or DEFAULT_FILES) if p.exists()]:
        document = json.loads(path.read_text("utf-8"))
        expected = canonicalize(document, loader)
        print(f"{path.name}: {len(path.read_bytes())} bytes, {expected.count(chr(10))} quads")
        rates: dict[str, float] = {}
        for name, function in candidates(loader).items():
            if function(document) != expected:
                print(f"  {name:26} output differs from credledger's: not timed")
                continue
            rates[name] = _rate(function, document, args.seconds)
        baseline = rates.get("pyld (baseline)")
        for name, rate in rates.items():
            ratio = f"{rate / baseline:6.1f}x pyld" if baseline else ""
            print(f"  {name:26} {1000 / rate:8.3f} ms  {rate:9.0f}/s  {ratio}")
        report[path.name] = rates
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())

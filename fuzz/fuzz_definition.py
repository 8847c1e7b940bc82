"""Fuzz the definition loader: any bytes either load or raise DefinitionError.

Run with ``make fuzz`` (every harness for FUZZ_SECONDS) or directly:
``python fuzz/fuzz_definition.py -max_total_time=60 CORPUS_DIR SEED_DIR...``.
Seeds are the hostile corpus and the sound definitions; a crash is written as
``crash-*`` under ``-artifact_prefix`` and belongs in tests/test_fuzz_regressions.py.
"""

from __future__ import annotations

import atheris
from _run import ROOT, run

with atheris.instrument_imports(include=["kl_contact"]):
    from kl_contact import DefinitionError, Limits, parse_workflow

# Smaller limits than the defaults keep each input fast without changing which code runs.
LIMITS = Limits(document_bytes=64 * 1024, nodes=20_000)


def test_one_input(data: bytes) -> None:
    try:
        parse_workflow(data, source="<fuzz>", limits=LIMITS)
    except DefinitionError as error:
        refusal = error
    else:
        return
    if not refusal.code or refusal.source != "<fuzz>":
        raise AssertionError("a refusal without a code or a source")


def main() -> None:
    run(test_one_input, [ROOT / "tests" / "hostile", ROOT / "src" / "kl_contact" / "definition"])


if __name__ == "__main__":
    main()

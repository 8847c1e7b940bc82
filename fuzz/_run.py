"""Start a harness: a fresh working corpus seeded from the repository, crashes kept.

libFuzzer writes new inputs into the first corpus folder, so the harness gets a temporary
one and the repository's seed folders come after it, read only. Crashing inputs go to
test-artifacts/fuzz/ (ignored by git) to become regression tests.
"""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import atheris

ROOT = Path(__file__).resolve().parents[1]


def run(test_one_input: Callable[[bytes], None], seeds: list[Path]) -> None:
    artifacts = ROOT / "test-artifacts" / "fuzz"
    artifacts.mkdir(parents=True, exist_ok=True)
    flags = [a for a in sys.argv[1:] if a.startswith("-")]
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    if not folders:
        folders = [tempfile.mkdtemp(prefix="kl-fuzz-"), *map(str, seeds)]
    if not any(f.startswith("-artifact_prefix=") for f in flags):
        flags.append(f"-artifact_prefix={artifacts}/")
    atheris.Setup([sys.argv[0], *flags, *folders], test_one_input)
    atheris.Fuzz()

"""The public API: everything exported is documented, and every module says what it is for."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import kl_contact


def test_every_exported_class_and_function_has_a_docstring() -> None:
    undocumented = [
        name
        for name in kl_contact.__all__
        if (inspect.isclass(obj := getattr(kl_contact, name)) or inspect.isfunction(obj))
        and not (obj.__doc__ or "").strip()
    ]
    assert undocumented == []


def test_all_lists_only_names_that_exist_once() -> None:
    assert len(kl_contact.__all__) == len(set(kl_contact.__all__))
    for name in kl_contact.__all__:
        assert hasattr(kl_contact, name), name


def test_every_module_opens_with_what_it_is_for() -> None:
    silent = []
    for info in pkgutil.walk_packages(kl_contact.__path__, prefix="kl_contact."):
        if info.name.endswith("__main__"):
            continue
        module = importlib.import_module(info.name)
        if not (module.__doc__ or "").strip():
            silent.append(info.name)
    assert silent == []


def test_importing_the_package_loads_only_what_is_used() -> None:
    """``import kl_contact`` names every export but imports each on first use, so a host
    running the engine never loads the e-mail builder, analytics, drivers or the CLI."""
    import subprocess
    import sys

    code = (
        "import sys, kl_contact\n"
        "bare = sorted(m for m in sys.modules if m.startswith('kl_contact.'))\n"
        "from kl_contact import Engine, default_workflow\n"
        "Engine(default_workflow())\n"
        "heavy = ['email', 'jsonschema', 'kl_contact.analytics', 'kl_contact.driver',\n"
        "         'kl_contact.cli', 'kl_contact.channels.registration', 'kl_contact.tokens']\n"
        "print(bare, [m for m in heavy if m in sys.modules])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "['kl_contact._lazy'] []"

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

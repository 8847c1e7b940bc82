"""Tests of the reference web host in examples/web (a package, so its conftest has its own name)."""

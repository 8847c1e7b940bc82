"""The declarative workflow: its model, its conditions and its loader."""

from kl_contact.definition._yaml import Document, load_yaml

__all__ = ["Document", "load_yaml"]

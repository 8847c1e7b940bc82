"""The declarative workflow: its model, its conditions and its loader."""

"""Article matching: the interface, the catalog and the built-in matcher."""

"""The engine: sessions, events in, effects out, views to render."""

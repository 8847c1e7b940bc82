"""Channels: next-step instructions for the confirmation and their renderers."""

"""Widgets of the playground's one screen."""

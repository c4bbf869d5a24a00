"""Modal screens: help, dialogs, pickers."""

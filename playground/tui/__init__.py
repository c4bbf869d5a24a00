"""The Textual front end. `playground.tui.app.create_app` is the one factory the CLI and tests use."""

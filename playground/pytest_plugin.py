"""pytest plugin: replay playground sessions against their cassettes."""

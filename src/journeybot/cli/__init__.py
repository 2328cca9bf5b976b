"""The `journeybot` command. Each command group lives in its own module and registers itself."""

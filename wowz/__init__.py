"""wowz: settings, logging, wiring of the services and the CLI."""

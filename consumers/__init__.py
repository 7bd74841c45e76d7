"""One package per service that consumes the bus: the providers' consumers, the persister and
the notifier."""

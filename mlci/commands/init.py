"""`mlci init`: registered, not built yet."""

from mlci.commands._options import not_available

command = not_available("init", "planned")

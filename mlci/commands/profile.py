"""`mlci profile`: registered, not built yet."""

from mlci.commands._options import not_available

command = not_available("profile", "planned")

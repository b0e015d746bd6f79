"""`mlci monitor`: a window of production inference logs against the champion's baseline."""

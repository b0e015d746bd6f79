"""`mlci init`: set mlci up in an existing ML repository (inspect, then write what is missing)."""

"""Read-only JSON of the public catalogue, for municipal websites."""

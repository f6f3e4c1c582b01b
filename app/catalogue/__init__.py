"""The public catalogue: the list of offerings and each offering's page."""

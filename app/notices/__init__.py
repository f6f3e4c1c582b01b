"""Staff are told: facilitators hear about requests, cancellations, waiting-list offers and
undelivered mail, at once, in a daily digest, or never, as each chooses per offering."""

"""Staff are told: facilitators hear about requests, cancellations, waiting-list offers,
undelivered mail and afbud for one date, at once, in a daily digest, or never, as each
chooses per offering."""

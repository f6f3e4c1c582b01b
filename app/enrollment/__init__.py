"""Sign-up: the rules of who gets a seat, and the only code that changes an enrollment."""

"""Mail that is never lost: written to an outbox in the transaction, delivered later."""

"""Suggest a group (foreslå en gruppe): citizens name a need,
staff moderate it, others say "me too"."""

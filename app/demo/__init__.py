"""A Danish demo catalogue for trying Holdplads out (`flask seed-demo`)."""

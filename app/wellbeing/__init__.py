"""Wellbeing before and after (WHO-5), per offering and off by default (issue 16, point 5)."""

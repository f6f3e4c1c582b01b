"""Interest mode (issue 14 §2): an interest list, the first talk, a start threshold.

A group in `interest` mode has no dates at first. People register interest with the usual
sign-up form (status `interested`); staff record the first talk with each (a status and a
date, nothing about health); when `min_participants` have had their talk, staff start the
group with its dates, and those people get a seat and the calendar by mail.
"""

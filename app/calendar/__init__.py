"""Calendars: iCal feeds, subscriptions and invitations."""

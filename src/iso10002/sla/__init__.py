"""Timeliness: business calendars, SLA policies, regulator presets."""

"""The practice's console: Django's admin, set up for the practice's staff.

What patients read and the booking rules, edited in a browser (bookings/models.py
holds the rows, bookings/configuration.py reads them), the embed code, the
activity counts and who changed what. `bookings` never imports this app.
"""

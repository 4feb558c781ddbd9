"""``manage.py bench``: the system at a hundred times today's volume, measured against its targets."""

"""The roster: students, guardians, households, identifiers, import, search and the school year."""

"""Citizens' complaints and requests to their municipality, routed to the unit that answers."""

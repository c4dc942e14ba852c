"""Users, roles, agencies and sign-in."""

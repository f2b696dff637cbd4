"""Pages of the service network: the public directory (no log-in) and the staff pages."""

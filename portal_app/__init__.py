"""Client Portal for law firms."""

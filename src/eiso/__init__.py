"""e-ISO: ISO 9001 document control for Vietnamese public agencies, built from git."""

__version__ = "0.1.0"

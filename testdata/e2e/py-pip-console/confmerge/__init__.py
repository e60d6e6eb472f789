"""Merge layered YAML configuration: packaged defaults, then /etc drop-ins in name order."""

__version__ = "0.7.0"

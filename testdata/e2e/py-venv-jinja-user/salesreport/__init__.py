"""Render a sales summary from a CSV file with Jinja2 templates."""

"""Render a small YAML inventory through a Jinja2 template."""
import locale
import os
import sys

import jinja2
import yaml

TEMPLATE = """inventory: {{ items | length }} items
{% for item in items | sort(attribute='name') %}- {{ item.name }}: {{ item.count }}
{% endfor %}total: {{ items | sum(attribute='count') }}"""

with open(os.path.join(os.path.dirname(__file__), "data.yaml"), encoding="utf-8") as f:
    data = yaml.safe_load(f)
print(jinja2.Template(TEMPLATE).render(items=data["items"]))
print("locale:", locale.setlocale(locale.LC_ALL, ""))
print("zoneinfo:", os.path.exists("/usr/share/zoneinfo/Europe/Paris"))
print("python:", sys.version.split()[0])

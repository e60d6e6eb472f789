import glob
import os

import yaml


def deep_merge(base, over):
    """Return base updated by over; mappings merge recursively, everything else replaces."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = deep_merge(base.get(k), v) if k in base else v
        return out
    return over


def load_layers(defaults, confdir):
    """Yield (path, data) for the defaults file and every *.yaml under confdir, sorted."""
    paths = [defaults] + sorted(glob.glob(os.path.join(confdir, "*.yaml")))
    for path in paths:
        with open(path, encoding="utf-8") as f:
            yield path, yaml.safe_load(f) or {}


def lookup(data, dotted):
    for part in dotted.split("."):
        if not isinstance(data, dict) or part not in data:
            raise KeyError(dotted)
        data = data[part]
    return data

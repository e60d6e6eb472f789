import argparse
import csv
import getpass
import sys
from collections import defaultdict
from decimal import Decimal

import jinja2

from . import __doc__ as DOC


def summarize(rows):
    by_region = defaultdict(Decimal)
    by_product = defaultdict(int)
    for r in rows:
        amount = Decimal(r["unit_price"]) * int(r["quantity"])
        by_region[r["region"]] += amount
        by_product[r["product"]] += int(r["quantity"])
    total = sum(by_region.values(), Decimal(0))
    top = max(by_product.items(), key=lambda kv: (kv[1], kv[0]))
    return {
        "regions": sorted(by_region.items()),
        "total": total,
        "top_product": top,
        "rows": len(rows),
    }


def main(argv=None):
    p = argparse.ArgumentParser(prog="salesreport", description=DOC)
    p.add_argument("csv", nargs="?", default="data/sales.csv")
    p.add_argument("--format", choices=["text", "html"], default="text")
    args = p.parse_args(argv)

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("salesreport", "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    try:
        with open(args.csv, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except OSError as e:
        print(f"salesreport: {e}", file=sys.stderr)
        return 1
    tmpl = env.get_template(f"report.{args.format}.j2")
    sys.stdout.write(tmpl.render(s=summarize(rows), source=args.csv, user=getpass.getuser(),
                                 jinja_version=jinja2.__version__))
    return 0


if __name__ == "__main__":
    sys.exit(main())

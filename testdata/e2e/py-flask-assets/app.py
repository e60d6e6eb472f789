"""Recipe scaler: a small Flask app with minified static assets."""

import json
import os
import sys

from flask import Flask, abort, jsonify, render_template, request

from scaling import scale

HERE = os.path.dirname(os.path.abspath(__file__))

app = Flask(__name__, static_folder="static", static_url_path="/static")

with open(os.path.join(HERE, "data", "recipes.json"), encoding="utf-8") as f:
    RECIPES = json.load(f)


@app.get("/")
def index():
    return render_template("index.html", recipes=RECIPES)


@app.get("/api/recipes")
def list_recipes():
    return jsonify({slug: r["title"] for slug, r in sorted(RECIPES.items())})


@app.get("/api/recipes/<slug>")
def recipe(slug):
    if slug not in RECIPES:
        abort(404)
    servings = request.args.get("servings", type=int, default=RECIPES[slug]["serves"])
    try:
        return jsonify(scale(RECIPES[slug], servings))
    except ValueError as e:
        return jsonify({"error": str(e)}), 400


def selftest():
    """Exercise the app through Flask's test client, without a network server."""
    client = app.test_client()
    ok = True

    page = client.get("/")
    html = page.get_data(as_text=True)
    print(f"GET / -> {page.status_code} {page.content_type}")
    for asset in ("app.min.css", "app.min.js"):
        url = f"/static/{asset}"
        linked = url in html
        res = client.get(url)
        body = res.get_data(as_text=True)
        res.close()
        # minified: no comments left, and at most a couple of lines
        minified = "/*" not in body and "//" not in body.replace("://", "") and body.count("\n") <= 2
        print(f"GET {url} -> {res.status_code} linked={linked} minified={minified} "
              f"mimetype={res.mimetype} bytes={len(body)}")
        ok = ok and res.status_code == 200 and linked and minified
    res = client.get("/static/app.js")
    print(f"GET /static/app.js -> {res.status_code}")

    res = client.get("/api/recipes")
    print(f"GET /api/recipes -> {res.status_code} {json.dumps(res.get_json(), sort_keys=True)}")
    res = client.get("/api/recipes/pancakes?servings=6")
    data = res.get_json()
    print(f"GET /api/recipes/pancakes?servings=6 -> {res.status_code} factor={data['factor']}")
    for ing in data["ingredients"]:
        print(f"  {ing['amount']:>8}  {ing['item']}")
    res = client.get("/api/recipes/dal?servings=1")
    data = res.get_json()
    print(f"GET /api/recipes/dal?servings=1 -> {res.status_code} "
          + "; ".join(f"{i['amount']} {i['item']}" for i in data["ingredients"][:4]))
    res = client.get("/api/recipes/dal?servings=0")
    print(f"GET /api/recipes/dal?servings=0 -> {res.status_code} {res.get_json()['error']}")
    res = client.get("/api/recipes/risotto")
    print(f"GET /api/recipes/risotto -> {res.status_code}")
    print("selftest", "ok" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    if "--selftest" in sys.argv:
        sys.exit(selftest())
    app.run(host="0.0.0.0", port=int(os.environ.get("PORT", "5000")))

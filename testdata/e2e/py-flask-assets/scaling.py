"""Scaling recipe quantities to a number of servings."""

from fractions import Fraction

# units that read better as kitchen fractions than as decimals
FRACTION_UNITS = {"tsp", "tbsp", "cup", ""}
NICE = [Fraction(1, 8), Fraction(1, 4), Fraction(1, 3), Fraction(1, 2),
        Fraction(2, 3), Fraction(3, 4)]


def nice_fraction(x):
    """Round x to the nearest whole plus one of the NICE fractions."""
    whole = int(x)
    rest = Fraction(x - whole).limit_denominator(24)
    best = min([Fraction(0), Fraction(1)] + NICE, key=lambda f: abs(f - rest))
    if best == 1:
        return str(whole + 1)
    if best == 0:
        return str(whole) if whole else "a pinch"
    return f"{whole} {best}" if whole else str(best)


def format_qty(qty, unit):
    if unit in FRACTION_UNITS:
        text = nice_fraction(qty)
    elif qty >= 100:
        text = str(int(round(qty / 5.0) * 5))
    else:
        text = f"{qty:.0f}" if abs(qty - round(qty)) < 0.05 else f"{qty:.1f}"
    return f"{text} {unit}".strip()


def scale(recipe, servings):
    if servings < 1 or servings > 100:
        raise ValueError("servings must be between 1 and 100")
    factor = Fraction(servings, recipe["serves"])
    return {
        "title": recipe["title"],
        "servings": servings,
        "factor": f"{float(factor):.2f}",
        "ingredients": [
            {"item": i["item"], "amount": format_qty(float(i["qty"] * factor), i["unit"])}
            for i in recipe["ingredients"]
        ],
    }

"""Hot Rod AN's catalog: AN fittings, hose, adapters, fuel pumps, regulators, filters, kits.

The catalog is the same for every seed (ids, SKUs, starting prices and unit costs are
stable), so a product id means the same part in every generated store. What changes with
the seed is the store's history: launches, price changes and discontinued parts.

Two catalogs (`build_catalog(name)`): "standard" (about 180 products, 450 variants) and
"extended" (the large store's: the standard one unchanged, then more finishes and colours,
-3 and -20 sizes, more angles, cut-to-length hose 1 to 25 ft, an adapter matrix of AN size
x ORB / NPT / metric thread, sensor and gauge adapters, tees, banjos, weld bungs; over
5,000 variants), its ids continuing the same id scheme.

Money is `decimal.Decimal` with two places, rounded half up (`q2`); never float.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
SIZES = (-4, -6, -8, -10, -12, -16)
SIZE_POPULARITY = {-4: 0.55, -6: 1.0, -8: 1.0, -10: 0.6, -12: 0.3, -16: 0.15}
PRODUCT_ID_BASE = 8_412_000_000_000
VARIANT_ID_BASE = 45_103_000_000_000
INVENTORY_ITEM_ID_BASE = 47_209_000_000_000


def q2(value: Decimal | int | str) -> Decimal:
    """Round to cents, half up."""
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def price95(value: Decimal | float) -> Decimal:
    """A retail price ending in .95 (at least 1.95)."""
    whole = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    return max(Decimal("1.95"), whole - Decimal("0.05"))


@dataclass(slots=True)
class Variant:
    """A sellable variant; `cost` is its InventoryItem's unit cost."""

    id: int
    product_id: int
    inventory_item_id: int
    sku: str
    title: str
    position: int
    price: Decimal
    cost: Decimal
    grams: int
    weight: float = 1.0
    gift_card: bool = False

    @property
    def taxable(self) -> bool:
        """Gift cards are not taxed."""
        return not self.gift_card

    @property
    def requires_shipping(self) -> bool:
        """Gift cards are emailed."""
        return not self.gift_card


@dataclass(slots=True)
class Product:
    """A product and its variants; `created_ts`/`deleted_ts` are set by the store history."""

    id: int
    title: str
    handle: str
    product_type: str
    vendor: str
    tags: str
    option_name: str
    variants: list[Variant] = field(default_factory=list)
    weight: float = 1.0
    created_ts: int = 0
    updated_ts: int = 0
    deleted_ts: int | None = None

    @property
    def gift_card(self) -> bool:
        """The gift card product."""
        return self.product_type == "Gift Card"


_HOSE_END_ANGLES = (("Straight", "STR", 1.0, 1.0), ("45°", "045", 1.25, 0.6),
                    ("90°", "090", 1.35, 0.9), ("120°", "120", 1.6, 0.3),
                    ("150°", "150", 1.7, 0.2), ("180°", "180", 1.9, 0.45))
_FINISHES = (("Blue/Red", "BLU", 1.0, 1.0), ("Black", "BLK", 1.1, 0.9),
             ("Polished", "POL", 1.25, 0.3))
_FITTING_BASE = {-4: 8.5, -6: 10.5, -8: 12.5, -10: 15.5, -12: 19.5, -16: 27.5}
_HOSE_PER_FT = {-4: 2.4, -6: 2.9, -8: 3.5, -10: 4.4, -12: 5.6, -16: 7.9}
_HOSES = (("Stainless Braided Hose", "SS", 1.0, 1.0), ("Black Nylon Braided Hose", "NY", 1.05, 0.8),
          ("PTFE Stainless Braided Hose", "PTSS", 1.8, 0.7),
          ("PTFE Black Nylon Braided Hose", "PTNY", 1.9, 0.6))
_ADAPTERS = (("Flare to ORB Adapter", "ORB", 0.75, 1.0), ("to NPT Adapter", "NPT", 0.7, 0.9),
             ("Union", "UNI", 0.8, 0.5), ("Bulkhead Adapter", "BLKH", 1.2, 0.5),
             ("Reducer", "RED", 0.85, 0.5), ("Cap & Plug Set", "CAP", 0.6, 0.3))
_PUMPS = (("255 LPH Inline Fuel Pump", 149), ("255 LPH In-Tank Fuel Pump", 129),
          ("340 LPH In-Tank Fuel Pump", 189), ("450 LPH In-Tank Fuel Pump", 249),
          ("E85 450 LPH Inline Fuel Pump", 329), ("Brushless 450 LPH Inline Fuel Pump", 449),
          ("Brushless Pump Speed Controller", 219), ("Mechanical Fuel Pump SBC", 119),
          ("Mechanical Fuel Pump BBC", 129), ("Carbureted 140 GPH Inline Pump", 169))
_REGULATORS = (("EFI Bypass Fuel Pressure Regulator", 129), ("Carbureted Bypass Regulator", 99),
               ("Returnless Adjustable Regulator", 89), ("Boost-Referenced Regulator -10", 229),
               ("Dual-Outlet Carb Regulator", 109), ("Fuel Log Regulator Combo", 249))
_KITS = (("LS Swap EFI Fuel Line Kit", 289), ("Returnless Fuel System Kit 400 HP", 449),
         ("Return-Style Fuel System Kit 600 HP", 689), ("E85 Fuel System Kit 1000 HP", 899),
         ("Throttle Body EFI Conversion Fuel Kit", 389), ("PTFE Fuel Line Kit -6", 229),
         ("PTFE Fuel Line Kit -8", 269), ("Oil Cooler Line Kit", 179),
         ("Transmission Cooler Line Kit", 159), ("Turbo Oil Feed and Drain Kit", 199),
         ("Power Steering Hose Kit", 169), ("Dual Pump Hanger Kit", 549),
         ("Fuel Cell Plumbing Kit", 319), ("Brake Line Kit -3", 189))
_TOOLS = (("AN Wrench Set -3 to -20", 59), ("Aluminum AN Wrench -6/-8", 14),
          ("Hose Cutting Shears", 39), ("Hose Cut-Off Wheel 3 pk", 12),
          ("Soft Jaw Vise Inserts", 24), ("AN Assembly Lube 4 oz", 9),
          ("Hose End Assembly Tool", 29), ("Fuel Pressure Gauge 0-100 psi", 34),
          ("Fuel Pressure Gauge Adapter -6", 19), ("Billet Fuel Rail Set LS", 179),
          ("Hose Separator Clamp -6", 11), ("Hose Separator Clamp -8", 12),
          ("Cushion Clamp 3/8 in 10 pk", 16), ("Cushion Clamp 1/2 in 10 pk", 17),
          ("AN O-Ring Assortment", 22), ("Fuel Line Pressure Test Kit", 69),
          ("Fuel Sending Unit Gasket", 8), ("Check Valve -6", 34),
          ("Fuel Shutoff Valve -8", 49), ("Heat Sleeve 3 ft", 19))


class _Builder:
    """Hands out stable ids in catalog order and keeps the unit-cost stream."""

    def __init__(self) -> None:
        self.products: list[Product] = []
        self.rng = random.Random("hot-rod-an catalog v1")
        self.n_variants = 0

    def product(self, title: str, ptype: str, vendor: str, tags: str, option: str, *,
                weight: float) -> Product:
        """A new product, with the next id and a handle from its title."""
        pid = PRODUCT_ID_BASE + len(self.products) * 7_919
        handle = "".join(c if c.isalnum() else "-" for c in title.lower().replace("°", "-deg"))
        handle = "-".join(p for p in handle.split("-") if p)
        product = Product(pid, title, handle, ptype, vendor, tags, option, weight=weight)
        self.products.append(product)
        return product

    def variant(self, product: Product, title: str, sku: str, price: Decimal, grams: int, *,
                weight: float = 1.0, gift_card: bool = False) -> None:
        """A new variant of `product`, with the next ids and a unit cost from the stream."""
        n = self.n_variants
        self.n_variants += 1
        share = Decimal(str(self.rng.uniform(0.40, 0.65)))
        cost = ZERO if gift_card else q2(price * share)
        product.variants.append(Variant(
            VARIANT_ID_BASE + n * 4_201, product.id, INVENTORY_ITEM_ID_BASE + n * 3_137, sku,
            title, len(product.variants) + 1, price, cost, grams, weight, gift_card))


CATALOGS = ("standard", "extended")


def build_catalog(catalog: str = "standard") -> list[Product]:
    """The catalog, in id order: "standard" (about 180 products, 450 variants) or "extended"."""
    if catalog not in CATALOGS:
        raise ValueError(f"unknown catalog {catalog!r}; use one of {CATALOGS}")
    b = _Builder()
    _standard(b)
    if catalog == "extended":
        _extended(b)
    return b.products


def _standard(b: _Builder) -> None:  # noqa: PLR0912 - one loop per product family
    """The standard catalog's families, in id order."""
    for hose, hkey, factor, keys in (("Hose End", "", 1.0, _FINISHES),
                                     ("PTFE Hose End", "-PTFE", 1.6, _FINISHES[:2])):
        angles = _HOSE_END_ANGLES if not hkey else [_HOSE_END_ANGLES[i] for i in (0, 1, 2, 5)]
        for size in SIZES:
            for angle, akey, afactor, apop in angles:
                pop = SIZE_POPULARITY[size] * apop * (1.0 if not hkey else 0.55)
                p = b.product(f"AN {size} {angle} {hose}", "Hose Ends", "Hot Rod AN",
                              f"AN{-size}, hose end, {'PTFE' if hkey else 'braided'}",
                              "Finish", weight=pop)
                for fin, fkey, ffactor, fpop in keys:
                    b.variant(p, fin, f"AN{-size}-{akey}{hkey}-{fkey}",
                              price95(_FITTING_BASE[size] * afactor * factor * ffactor),
                              20 + 12 * -size, weight=fpop)
    for name, hkey, factor, pop in _HOSES:
        for size in SIZES:
            p = b.product(f"AN {size} {name}", "Hose", "Hot Rod AN",
                          f"AN{-size}, hose, {'PTFE' if 'PTFE' in name else 'braided'}",
                          "Length", weight=SIZE_POPULARITY[size] * pop)
            for feet, fpop in ((3, 0.5), (6, 1.0), (10, 0.7), (20, 0.35)):
                b.variant(p, f"{feet} ft", f"HOSE-AN{-size}-{hkey}-{feet:02d}FT",
                          price95(_HOSE_PER_FT[size] * factor * feet * (1 - feet / 80) + 4),
                          60 * feet, weight=fpop)
    for name, akey, factor, pop in _ADAPTERS:
        for size in SIZES:
            p = b.product(f"AN {size} {name}", "Adapters", "Hot Rod AN",
                          f"AN{-size}, adapter", "Finish", weight=SIZE_POPULARITY[size] * pop)
            for fin, fkey, ffactor, fpop in _FINISHES[:2]:
                b.variant(p, fin, f"AN{-size}-{akey}-{fkey}",
                          price95(_FITTING_BASE[size] * factor * ffactor), 15 + 8 * -size,
                          weight=fpop)
    for i, (name, list_price) in enumerate(_PUMPS):
        p = b.product(name, "Fuel Pumps", "Velocity Fuel Systems", "fuel pump",
                      "Ports", weight=0.9 if list_price < 300 else 0.5)
        ports = (("-8 ORB", "8"), ("-10 ORB", "10")) if i < 7 else (("Default Title", "STD"),)
        for title, key in ports:
            b.variant(p, title, f"FP-{i + 1:02d}-{key}",
                      price95(list_price + (10 if key == "10" else 0)),
                      1_400, weight=1.0 if key != "10" else 0.6)
    for i, (name, list_price) in enumerate(_REGULATORS):
        p = b.product(name, "Fuel Pressure Regulators", "Velocity Fuel Systems", "regulator",
                      "Finish", weight=1.0)
        for fin, fkey, ffactor, fpop in _FINISHES:
            b.variant(p, fin, f"FPR-{i + 1:02d}-{fkey}", price95(list_price * ffactor), 600,
                      weight=fpop)
    for size in (-6, -8, -10, -12):
        p = b.product(f"AN {size} Inline Fuel Filter", "Fuel Filters", "Hot Rod AN",
                      f"AN{-size}, fuel filter", "Element", weight=SIZE_POPULARITY[size] * 1.5)
        for title, key, list_price in (("10 Micron Paper", "10P", 44),
                                       ("40 Micron Stainless", "40S", 54),
                                       ("100 Micron Stainless", "100S", 54),
                                       ("10 Micron Stainless E85", "10E", 69)):
            b.variant(p, title, f"FF-AN{-size}-{key}", price95(list_price + 5 * -size / 2), 350)
    for micron, list_price in ((10, 19), (40, 24), (100, 24)):
        p = b.product(f"Replacement Filter Element {micron} Micron", "Fuel Filters",
                      "Hot Rod AN", "fuel filter, element", "Length", weight=0.6)
        for title, key in (("Short", "S"), ("Long", "L")):
            b.variant(p, title, f"FE-{micron}-{key}",
                      price95(list_price + (6 if key == "L" else 0)), 90)
    for i, (name, list_price) in enumerate(_KITS):
        p = b.product(name, "Kits", "Hot Rod AN", "kit", "Size", weight=0.8)
        sizes = (("-6", "6"), ("-8", "8")) if "Line Kit" in name or "System" in name else \
            (("Default Title", "STD"),)
        for title, key in sizes:
            b.variant(p, title, f"KIT-{i + 1:02d}-{key}",
                      price95(list_price * (1.12 if key == "8" else 1)), 2_500)
    for i, (name, list_price) in enumerate(_TOOLS):
        p = b.product(name, "Tools & Accessories", "Garage Pro Tools", "tool, accessory",
                      "Title", weight=0.9 if list_price < 40 else 0.4)
        b.variant(p, "Default Title", f"TL-{i + 1:02d}", price95(list_price), 300)
    card = b.product("Hot Rod AN Gift Card", "Gift Card", "Hot Rod AN", "gift card",
                     "Denominations", weight=0.0)
    for amount in (25, 50, 100, 250):
        b.variant(card, f"${amount}", f"GIFT-{amount}", q2(amount), 0, gift_card=True)


_X_SIZES = (-3, -4, -6, -8, -10, -12, -16, -20)
_X_POP = {**SIZE_POPULARITY, -3: 0.25, -20: 0.08}
_X_BASE = {**_FITTING_BASE, -3: 7.5, -20: 36.5}
_X_HOSE_FT = {**_HOSE_PER_FT, -3: 2.1, -20: 10.9}
_X_ANGLES = (("Straight", "STR", 1.0, 1.0), ("30°", "030", 1.2, 0.25), ("45°", "045", 1.25, 0.6),
             ("60°", "060", 1.3, 0.25), ("90°", "090", 1.35, 0.9), ("120°", "120", 1.6, 0.3),
             ("150°", "150", 1.7, 0.2), ("180°", "180", 1.9, 0.45))
_COLOURS = (("Red", "RED", 1.05, 1.0), ("Blue", "BLU", 1.05, 0.9), ("Black", "BLK", 1.1, 1.0),
            ("Gunmetal", "GUN", 1.15, 0.5), ("Purple", "PUR", 1.15, 0.25),
            ("Gold", "GLD", 1.15, 0.3), ("Clear Anodized", "CLR", 1.1, 0.4),
            ("Nickel Plated", "NKL", 1.3, 0.2))
_X_HOSES = (("Stainless Braided Hose", "SS", 1.0, 1.0),
            ("Black Nylon Braided Hose", "NY", 1.05, 0.8),
            ("PTFE Stainless Braided Hose", "PTSS", 1.8, 0.7),
            ("PTFE Black Nylon Braided Hose", "PTNY", 1.9, 0.6))
_HOSE_COLOURS = (("Red", "RED", 0.6), ("Blue", "BLU", 0.5), ("Green", "GRN", 0.2),
                 ("Purple", "PUR", 0.15), ("Orange", "ORG", 0.2), ("Carbon Look", "CRB", 0.3))
_THREADS = (tuple((f"-{n} ORB", f"ORB{n}", 0.75 + n / 40, 1.0 if n in (6, 8, 10) else 0.5)
                  for n in (3, 4, 6, 8, 10, 12, 16, 20))
            + tuple((f"{t} NPT", f"NPT{k}", 0.7 + i * 0.08, (1.0, 0.9, 0.7, 0.5, 0.3, 0.2)[i])
                    for i, (t, k) in enumerate((("1/8", "18"), ("1/4", "14"), ("3/8", "38"),
                                                ("1/2", "12"), ("3/4", "34"), ("1", "1"))))
            + tuple((f"M{m}", f"M{m.replace('x', 'X').replace('.', '')}", 0.8 + i * 0.04, 0.35)
                    for i, m in enumerate(("8x1.0", "10x1.0", "10x1.25", "12x1.25", "12x1.5",
                                           "14x1.5", "16x1.5", "18x1.5", "20x1.5", "22x1.5"))))
_SHAPES = (("Straight", "S", 1.0, 1.0), ("45°", "45", 1.3, 0.4), ("90°", "90", 1.35, 0.7),
           ("Swivel 90°", "SW", 1.6, 0.25))
_X_FINISHES = (("Blue/Red", "BLU", 1.0, 1.0), ("Black", "BLK", 1.1, 0.9),
               ("Clear Anodized", "CLR", 1.1, 0.3))
_SENSORS = (("1/8 NPT Sensor Port", "S18", 1.0), ("1/8 BSPT Sensor Port", "SBS", 0.3),
            ("M10x1.0 Sensor Port", "SM10", 0.5), ("M12x1.5 Sensor Port", "SM12", 0.4),
            ("Dual 1/8 NPT Sensor Ports", "SD18", 0.3))
_TEES = (("Tee", "TEE", 1.8, 1.0), ("Y-Block", "YBL", 2.6, 0.4), ("Cross", "CRS", 2.2, 0.3),
         ("Side-Port Tee", "SPT", 2.0, 0.4), ("Bulkhead Tee", "BKT", 2.4, 0.3))
_BOLTS = (("M10x1.0", "M10", 1.0), ("M12x1.5", "M12", 0.8), ("M14x1.5", "M14", 0.6),
          ("M16x1.5", "M16", 0.4), ("7/16-24", "716", 0.5), ("1/2-20", "12", 0.5))
_ELEMENTS = (("10 Micron Paper", "10P", 44, 1.0), ("10 Micron Stainless", "10S", 59, 0.6),
             ("40 Micron Stainless", "40S", 54, 0.8), ("100 Micron Stainless", "100S", 54, 0.7),
             ("150 Micron Stainless", "150S", 54, 0.3), ("10 Micron Stainless E85", "10E", 69, 0.5))
_GAUGES = (("0-15 psi", "15", 34), ("0-30 psi", "30", 34), ("0-60 psi", "60", 36),
           ("0-100 psi", "100", 36), ("0-160 psi", "160", 39))


def _extended(b: _Builder) -> None:  # noqa: PLR0912 - one loop per product family
    """The extended catalog's extra families, appended after the standard ones."""
    for size in (-3, -20):
        for angle, akey, afactor, apop in _HOSE_END_ANGLES:
            p = b.product(f"AN {size} {angle} Hose End", "Hose Ends", "Hot Rod AN",
                          f"AN{-size}, hose end, braided", "Finish",
                          weight=_X_POP[size] * apop)
            for fin, fkey, ffactor, fpop in _FINISHES:
                b.variant(p, fin, f"AN{-size}-{akey}-{fkey}",
                          price95(_X_BASE[size] * afactor * ffactor), 20 + 12 * -size,
                          weight=fpop)
    for size in _X_SIZES:
        for angle, akey, afactor, apop in _X_ANGLES:
            p = b.product(f"AN {size} {angle} Hose End Color Series", "Hose Ends", "Hot Rod AN",
                          f"AN{-size}, hose end, braided, color", "Color",
                          weight=_X_POP[size] * apop * 0.5)
            for col, ckey, cfactor, cpop in _COLOURS:
                b.variant(p, col, f"CS-AN{-size}-{akey}-{ckey}",
                          price95(_X_BASE[size] * afactor * cfactor * 1.1), 20 + 12 * -size,
                          weight=cpop)
    for size in _X_SIZES:
        for angle, akey, afactor, apop in _X_ANGLES:
            p = b.product(f"AN {size} {angle} PTFE Hose End Pro Series", "Hose Ends",
                          "Hot Rod AN", f"AN{-size}, hose end, PTFE", "Finish",
                          weight=_X_POP[size] * apop * 0.3)
            for fin, fkey, ffactor, fpop in _X_FINISHES:
                b.variant(p, fin, f"PRO-AN{-size}-{akey}-PTFE-{fkey}",
                          price95(_X_BASE[size] * afactor * ffactor * 1.75), 20 + 12 * -size,
                          weight=fpop)
    for name, hkey, factor, pop in _X_HOSES:
        for size in _X_SIZES:
            p = b.product(f"AN {size} {name} Cut to Length", "Hose", "Hot Rod AN",
                          f"AN{-size}, hose, cut to length", "Length",
                          weight=_X_POP[size] * pop * 0.8)
            for feet in range(1, 26):
                fpop = 1.0 if feet in (2, 3, 4, 5, 6, 8, 10, 12, 15) else 0.35
                b.variant(p, f"{feet} ft", f"HOSE-AN{-size}-{hkey}-L{feet:02d}",
                          price95(_X_HOSE_FT[size] * factor * feet * (1 - feet / 80) + 5),
                          60 * feet, weight=fpop)
    for col, ckey, cpop in _HOSE_COLOURS:
        for size in _X_SIZES:
            p = b.product(f"AN {size} {col} Nylon Braided Hose", "Hose", "Hot Rod AN",
                          f"AN{-size}, hose, nylon, color", "Length",
                          weight=_X_POP[size] * cpop * 0.5)
            for feet in (3, 6, 10, 15, 20, 25):
                b.variant(p, f"{feet} ft", f"HOSE-AN{-size}-NY{ckey}-{feet:02d}FT",
                          price95(_X_HOSE_FT[size] * 1.15 * feet * (1 - feet / 80) + 4),
                          60 * feet, weight=1.0 if feet in (6, 10) else 0.5)
    for size in _X_SIZES:
        for thread, tkey, tfactor, tpop in _THREADS:
            p = b.product(f"AN {size} Male to {thread} Adapter", "Adapters", "Hot Rod AN",
                          f"AN{-size}, adapter, {thread}", "Style",
                          weight=_X_POP[size] * tpop * 0.12)
            for shape, skey, sfactor, spop in _SHAPES:
                for fin, fkey, ffactor, fpop in _X_FINISHES:
                    b.variant(p, f"{shape} / {fin}", f"AD-AN{-size}-{tkey}-{skey}-{fkey}",
                              price95(_X_BASE[size] * tfactor * sfactor * ffactor * 0.8),
                              15 + 8 * -size, weight=spop * fpop)
    for size in _X_SIZES:
        for sensor, skey, spop in _SENSORS:
            p = b.product(f"AN {size} {sensor} Adapter", "Adapters", "Hot Rod AN",
                          f"AN{-size}, adapter, sensor", "Finish", weight=_X_POP[size] * spop * 0.3)
            for fin, fkey, ffactor, fpop in _X_FINISHES:
                b.variant(p, fin, f"SA-AN{-size}-{skey}-{fkey}",
                          price95(_X_BASE[size] * 1.4 * ffactor), 30 + 8 * -size, weight=fpop)
    for i, big in enumerate(_X_SIZES):
        for small in _X_SIZES[:i]:
            p = b.product(f"AN {big} Female to AN {small} Male Reducer", "Adapters", "Hot Rod AN",
                          f"AN{-big}, AN{-small}, adapter, reducer", "Finish",
                          weight=_X_POP[big] * _X_POP[small] * 0.4)
            for fin, fkey, ffactor, fpop in _X_FINISHES:
                b.variant(p, fin, f"RD-AN{-big}-AN{-small}-{fkey}",
                          price95(_X_BASE[big] * 0.9 * ffactor), 15 + 8 * -big, weight=fpop)
    for size in _X_SIZES:
        for tee, tkey, tfactor, tpop in _TEES:
            p = b.product(f"AN {size} {tee}", "Adapters", "Hot Rod AN",
                          f"AN{-size}, adapter, tee", "Finish", weight=_X_POP[size] * tpop * 0.3)
            for fin, fkey, ffactor, fpop in _X_FINISHES:
                b.variant(p, fin, f"TE-AN{-size}-{tkey}-{fkey}",
                          price95(_X_BASE[size] * tfactor * ffactor), 40 + 10 * -size,
                          weight=fpop)
        for bolt, bkey, bpop in _BOLTS:
            p = b.product(f"AN {size} Banjo Fitting {bolt}", "Adapters", "Hot Rod AN",
                          f"AN{-size}, adapter, banjo", "Finish", weight=_X_POP[size] * bpop * 0.2)
            for fin, fkey, ffactor, fpop in _X_FINISHES[:2]:
                b.variant(p, fin, f"BJ-AN{-size}-{bkey}-{fkey}",
                          price95(_X_BASE[size] * 1.5 * ffactor), 30 + 8 * -size, weight=fpop)
        p = b.product(f"AN {size} Weld Bung", "Adapters", "Hot Rod AN",
                      f"AN{-size}, weld bung", "Material", weight=_X_POP[size] * 0.3)
        for mat, mkey, mfactor in (("Aluminum", "AL", 1.0), ("Mild Steel", "ST", 0.9),
                                   ("Stainless", "SS", 1.5)):
            b.variant(p, mat, f"WB-AN{-size}-{mkey}", price95(_X_BASE[size] * 0.8 * mfactor),
                      40 + 8 * -size)
        p = b.product(f"AN {size} Flare Cap and Plug", "Adapters", "Hot Rod AN",
                      f"AN{-size}, cap, plug", "Color", weight=_X_POP[size] * 0.2)
        for col, ckey, cfactor, cpop in _COLOURS:
            b.variant(p, col, f"CP-AN{-size}-{ckey}", price95(_X_BASE[size] * 0.55 * cfactor),
                      10 + 4 * -size, weight=cpop)
    for size in (-6, -8, -10, -12, -16):
        p = b.product(f"AN {size} Inline Fuel Filter Pro Series", "Fuel Filters", "Hot Rod AN",
                      f"AN{-size}, fuel filter", "Element", weight=_X_POP[size] * 0.8)
        for title, key, list_price, epop in _ELEMENTS:
            for fin, fkey, ffactor, fpop in _X_FINISHES:
                b.variant(p, f"{title} / {fin}", f"FFP-AN{-size}-{key}-{fkey}",
                          price95((list_price + 5 * -size / 2) * ffactor * 1.15), 380,
                          weight=epop * fpop)
    for face, fkey, fpop in (("White Face", "W", 1.0), ("Black Face", "B", 0.8),
                             ("Liquid Filled", "L", 0.5)):
        p = b.product(f"Fuel Pressure Gauge {face}", "Tools & Accessories", "Garage Pro Tools",
                      "gauge, accessory", "Range", weight=fpop * 0.5)
        for rng_title, rkey, list_price in _GAUGES:
            b.variant(p, rng_title, f"GA-{fkey}-{rkey}", price95(list_price * (1 + fpop / 5)), 200)
    for size, inch in ((-4, "1/4"), (-6, "3/8"), (-8, "1/2"), (-10, "5/8"), (-12, "3/4"),
                       (-16, "1")):
        p = b.product(f"Cushion Clamp {inch} in", "Tools & Accessories", "Garage Pro Tools",
                      "clamp, accessory", "Pack", weight=_X_POP[size] * 0.4)
        for pack, pkey, mult in (("2 pk", "2", 0.35), ("10 pk", "10", 1.0), ("25 pk", "25", 2.1)):
            b.variant(p, pack, f"CC-{-size:02d}-{pkey}", price95(15 * mult + -size / 4), 60)


CATEGORY_SHARE = {"Hose Ends": 0.36, "Adapters": 0.20, "Hose": 0.15, "Fuel Filters": 0.05,
                  "Fuel Pumps": 0.06, "Fuel Pressure Regulators": 0.035, "Kits": 0.04,
                  "Tools & Accessories": 0.105}
"""Share of order lines by product type (gift cards are added separately)."""

QUANTITY_WEIGHTS = {"Hose Ends": (0.30, 0.35, 0.10, 0.25), "Adapters": (0.30, 0.35, 0.10, 0.25),
                    "Hose": (0.75, 0.25), "Tools & Accessories": (0.8, 0.15, 0.0, 0.05)}
"""How many units of one variant a line carries (1, 2, 3, 4); default 1 (pumps, kits...)."""

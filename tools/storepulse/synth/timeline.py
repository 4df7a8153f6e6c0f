"""Scales, the calendar of demand, and the store's fixed reference data.

Demand for a shop-local day = base × growth^(years before as_of) × season(month)
× weekday × events, in orders per day; the base is calibrated so the 365 days ending at
`as_of` sell `annual_revenue` in total sales (net sales + shipping + taxes).

Choices, documented:
  * weekdays sell more than weekends (race shops and builders order at work; the weekend
    is garage time): Mon 1.08, Tue 1.10, Wed 1.06, Thu 1.02, Fri 0.96, Sat 0.84, Sun 0.92;
  * spring and summer are the season (peak May-Aug), winter is slow;
  * Thanksgiving 1.5, Black Friday 4.5, Saturday 2.6, Sunday 2.4, Cyber Monday 3.8, the
    rest of cyber week 1.3; Christmas, New Year and July 4 dip;
  * order times follow a shop-local hourly curve with an evening peak.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

from storepulse.synth.model import Discount, Region

TZ = ZoneInfo("America/Los_Angeles")
DEFAULT_AS_OF = dt.datetime(2026, 11, 25, 15, 30, tzinfo=TZ)


@dataclass(frozen=True)
class Scale:
    """How much history: `days` ending at `as_of`, growing `growth`× a year.

    `catalog` names the catalog the store sells (catalog.build_catalog): "standard", or
    "extended" (over 5,000 variants, the large store's).
    """

    name: str
    days: int
    annual_revenue: Decimal
    growth: float = 1.2
    as_of: dt.datetime = DEFAULT_AS_OF
    catalog: str = "standard"

    @classmethod
    def of(cls, scale: str | Scale | tuple[float, float | int | str]) -> Scale:
        """A preset name ("season", "default", "large"), a Scale, or (years, revenue)."""
        if isinstance(scale, Scale):
            return scale
        if isinstance(scale, tuple):
            years, revenue = scale
            return cls(f"{years}y", round(float(years) * 365), Decimal(str(revenue)))
        presets = {"season": cls("season", 92, Decimal(1_000_000)),
                   "default": cls("default", 365, Decimal(1_000_000)),
                   "large": cls("large", 3 * 365, Decimal(10_000_000), growth=2.0,
                                catalog="extended")}
        if scale not in presets:
            raise ValueError(f"unknown scale {scale!r}; use one of {sorted(presets)}")
        return presets[scale]

    @property
    def end_date(self) -> dt.date:
        """The shop-local day of `as_of` (partial: "today so far")."""
        return self.as_of.astimezone(TZ).date()

    @property
    def start_date(self) -> dt.date:
        """The first shop-local day."""
        return self.end_date - dt.timedelta(days=self.days - 1)


_MONTH = (0.72, 0.82, 1.00, 1.15, 1.28, 1.30, 1.25, 1.18, 1.02, 0.92, 0.86, 0.80)
_WEEKDAY = (1.08, 1.10, 1.06, 1.02, 0.96, 0.84, 0.92)
HOUR_WEIGHTS = (0.6, 0.35, 0.2, 0.15, 0.15, 0.25, 0.6, 1.3, 2.4, 3.6, 4.6, 5.0,
                5.0, 4.8, 4.7, 4.8, 5.0, 5.2, 5.6, 6.2, 6.6, 6.0, 4.2, 2.0)


def thanksgiving(year: int) -> dt.date:
    """The fourth Thursday of November."""
    first = dt.date(year, 11, 1)
    return first + dt.timedelta(days=(3 - first.weekday()) % 7 + 21)


def season(day: dt.date) -> float:
    """Monthly seasonality, interpolated between mid-months."""
    pos = day.month - 1 + (day.day - 15.5) / 30.5
    lo = int(pos // 1)
    frac = pos - lo
    return _MONTH[lo % 12] * (1 - frac) + _MONTH[(lo + 1) % 12] * frac


def events(day: dt.date) -> float:
    """Holiday multipliers (Black Friday, Cyber Monday, ...)."""
    offset = (day - thanksgiving(day.year)).days
    bfcm = {0: 1.5, 1: 4.5, 2: 2.6, 3: 2.4, 4: 3.8, 5: 1.3, 6: 1.3, 7: 1.3, 8: 1.3}
    if offset in bfcm:
        return bfcm[offset]
    return {(12, 24): 0.5, (12, 25): 0.3, (12, 31): 0.7, (1, 1): 0.55,
            (7, 4): 0.6}.get((day.month, day.day), 1.0)


def demand(day: dt.date, scale: Scale) -> float:
    """Relative demand of a day (1.0 = an average day at as_of's level)."""
    years_back = (scale.end_date - day).days / 365
    growth: float = scale.growth ** -years_back
    return growth * season(day) * _WEEKDAY[day.weekday()] * events(day)


def black_friday(year: int) -> dt.date:
    """The day after Thanksgiving."""
    return thanksgiving(year) + dt.timedelta(days=1)


def discount_for(day: dt.date, roll: float, subtotal: Decimal, *,
                 new_customer: bool) -> Discount | None:
    """The code an order uses, if any (one code per order)."""
    offset = (day - thanksgiving(day.year)).days
    if 0 <= offset <= 4:
        return BFCM20 if roll < 0.45 else None
    if ((day.month == 3 and day.day >= 15) or day.month in (4, 5)) and roll < 0.18:
        return SPRING10
    if day.month == 7 and day.day <= 7 and roll < 0.25:
        return SUMMER15
    if new_customer and 0.90 <= roll < 0.97:
        return WELCOME10
    if subtotal >= 150 and roll >= 0.97:
        return BIGBLOCK20
    return None


SPRING10 = Discount("SPRING10", "percentage", Decimal(10))
SUMMER15 = Discount("SUMMER15", "percentage", Decimal(15))
BFCM20 = Discount("BFCM20", "percentage", Decimal(20))
WELCOME10 = Discount("WELCOME10", "percentage", Decimal(10))
BIGBLOCK20 = Discount("BIGBLOCK20", "fixed_amount", Decimal(20))


def _r(code: str, name: str, city: str, zip_: str, rate: str, *, ships: bool) -> Region:
    return Region(code, name, city, zip_, Decimal(rate),
                  f"{name} Sales Tax" if rate != "0" else "", ships)


REGIONS = (
    (_r("CA", "California", "Los Angeles", "90012", "0.095", ships=False), 0.10),
    (_r("CA", "California", "San Diego", "92101", "0.0775", ships=False), 0.05),
    (_r("CA", "California", "Sacramento", "95814", "0.0875", ships=False), 0.04),
    (_r("CA", "California", "Bakersfield", "93301", "0.0825", ships=False), 0.03),
    (_r("TX", "Texas", "Houston", "77002", "0.0825", ships=True), 0.07),
    (_r("TX", "Texas", "Fort Worth", "76102", "0.0825", ships=True), 0.04),
    (_r("FL", "Florida", "Tampa", "33602", "0.075", ships=False), 0.06),
    (_r("AZ", "Arizona", "Phoenix", "85004", "0.086", ships=False), 0.05),
    (_r("NV", "Nevada", "Las Vegas", "89101", "0.08375", ships=False), 0.03),
    (_r("OR", "Oregon", "Portland", "97204", "0", ships=False), 0.03),
    (_r("WA", "Washington", "Spokane", "99201", "0.09", ships=True), 0.04),
    (_r("NY", "New York", "Buffalo", "14202", "0.0875", ships=True), 0.04),
    (_r("PA", "Pennsylvania", "Pittsburgh", "15222", "0.07", ships=True), 0.04),
    (_r("OH", "Ohio", "Columbus", "43215", "0.0775", ships=True), 0.04),
    (_r("MI", "Michigan", "Detroit", "48226", "0.06", ships=True), 0.05),
    (_r("GA", "Georgia", "Atlanta", "30303", "0.089", ships=True), 0.03),
    (_r("NC", "North Carolina", "Charlotte", "28202", "0.0725", ships=True), 0.04),
    (_r("IL", "Illinois", "Rockford", "61101", "0.0825", ships=False), 0.03),
    (_r("CO", "Colorado", "Grand Junction", "81501", "0.0737", ships=False), 0.03),
    (_r("TN", "Tennessee", "Knoxville", "37902", "0.0925", ships=True), 0.03),
    (_r("IN", "Indiana", "Indianapolis", "46204", "0.07", ships=True), 0.03),
    (_r("MT", "Montana", "Billings", "59101", "0", ships=False), 0.01),
    (_r("MO", "Missouri", "Springfield", "65806", "0", ships=False), 0.03),
    (_r("UT", "Utah", "Ogden", "84401", "0", ships=False), 0.02),
)
"""Ship-to regions and order shares; "0" = no nexus, no tax collected."""

FIRST_NAMES = ("James", "Mike", "Dave", "Chris", "Rob", "Tony", "Steve", "Kevin", "Brian", "Jason",
               "Matt", "Josh", "Ryan", "Nick", "Eric", "Jeff", "Mark", "Scott", "Dan", "Greg",
               "Luis", "Carlos", "Jose", "Miguel", "Andre", "Marcus", "Tyler", "Kyle", "Cody",
               "Travis", "Dustin", "Wes", "Hank", "Earl", "Gus", "Sam", "Alex", "Jordan",
               "Taylor", "Casey", "Jessica", "Ashley", "Sarah", "Amanda", "Nicole", "Megan",
               "Rachel", "Lauren", "Brittany", "Kim", "Dana", "Lisa", "Maria", "Ana", "Rosa",
               "Tina", "Beth", "Jill", "Kara", "Erin")
LAST_NAMES = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis",
              "Rodriguez", "Martinez", "Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson",
              "Thomas", "Taylor", "Moore", "Jackson", "Martin", "Lee", "Perez", "Thompson",
              "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson", "Walker",
              "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
              "Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell",
              "Carter", "Roberts", "Dalton", "Hatfield", "Kowalski", "Novak", "Becker", "Olsen",
              "Fischer", "Sutton", "Booker", "Pruitt")
STREETS = ("Main St", "Oak Ave", "Industrial Way", "Speedway Blvd", "Pit Row", "Mill Rd",
           "Cedar Ln", "Lakeview Dr", "Foundry St", "Garage Ct", "Quarter Mile Rd", "Ridge Rd")
TRAFFIC = (
    ("https://www.google.com/", "/products/{h}", 0.40),
    ("https://www.google.com/",
     "/products/{h}?utm_source=google&utm_medium=cpc&utm_campaign=an-fittings", 0.15),
    ("", "/", 0.20),
    ("https://l.instagram.com/", "/collections/all?utm_source=instagram&utm_medium=social", 0.08),
    ("", "/products/{h}?utm_source=newsletter&utm_medium=email", 0.10),
    ("https://www.youtube.com/", "/collections/kits?utm_source=youtube&utm_medium=video", 0.07),
)
"""(referring_site, landing_site template, share) of web orders."""

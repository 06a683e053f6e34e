"""Japanese era (和暦) years, as the card's 照合番号B and the forms need them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Era:
    name: str  # 令和
    romaji: str  # Reiwa
    initial: str  # R
    start: dt.date


# First days of each era; the first year of an era is 元年 (year 1).
ERAS: tuple[Era, ...] = (
    Era("令和", "Reiwa", "R", dt.date(2019, 5, 1)),
    Era("平成", "Heisei", "H", dt.date(1989, 1, 8)),
    Era("昭和", "Showa", "S", dt.date(1926, 12, 25)),
    Era("大正", "Taisho", "T", dt.date(1912, 7, 30)),
    Era("明治", "Meiji", "M", dt.date(1868, 10, 23)),
)


@dataclass(frozen=True)
class WarekiDate:
    era: Era
    year: int
    month: int
    day: int

    def __str__(self) -> str:
        year = "元" if self.year == 1 else str(self.year)
        return f"{self.era.name}{year}年{self.month}月{self.day}日"


def to_wareki(day: dt.date) -> WarekiDate:
    """Convert a Gregorian date to its era date; raises ValueError before 明治."""
    for era in ERAS:
        if day >= era.start:
            return WarekiDate(era, day.year - era.start.year + 1, day.month, day.day)
    raise ValueError("dates before the Meiji era have no era year here")

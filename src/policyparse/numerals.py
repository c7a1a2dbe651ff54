"""Reading Chinese numerals: `十二` → 12, `一千二百` → 1200, `二〇二一` → 2021."""

from __future__ import annotations

from . import regexcache

DIGITS = {"〇": 0, "○": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
          "六": 6, "七": 7, "八": 8, "九": 9}
SMALL_UNITS = {"十": 10, "百": 100, "千": 1000}
LARGE_UNITS = {"万": 10_000, "亿": 100_000_000}


# A number as an outline marker prints it, Arabic or Chinese (`12`, `十二`).
NUMERAL_RUN = regexcache.compile(r"[0-9一二三四五六七八九十百零〇]+")


def chinese_to_int(text: str) -> int | None:
    """The value of a Chinese numeral, or None when `text` is not one.

    Positional runs without units are read digit by digit, as years are printed.

    >>> chinese_to_int("二十三"), chinese_to_int("十"), chinese_to_int("一千二百"), chinese_to_int("二〇二一")
    (23, 10, 1200, 2021)
    """
    if not text or any(ch not in DIGITS and ch not in SMALL_UNITS and ch not in LARGE_UNITS for ch in text):
        return None
    if all(ch in DIGITS for ch in text):
        value = 0
        for ch in text:
            value = value * 10 + DIGITS[ch]
        return value
    total = section = digit = 0
    for ch in text:
        if ch in DIGITS:
            digit = DIGITS[ch]
        elif ch in SMALL_UNITS:
            section += (digit or 1) * SMALL_UNITS[ch]
            digit = 0
        else:
            total = (total + section + digit) * LARGE_UNITS[ch]
            section = digit = 0
    return total + section + digit


def int_to_chinese(number: int) -> str:
    """The Chinese numeral for 1–99, as outline markers print it.

    >>> int_to_chinese(3), int_to_chinese(10), int_to_chinese(12), int_to_chinese(20)
    ('三', '十', '十二', '二十')
    """
    names = "零一二三四五六七八九"
    if number < 10:
        return names[number]
    tens, ones = divmod(number, 10)
    return ("" if tens == 1 else names[tens]) + "十" + (names[ones] if ones else "")

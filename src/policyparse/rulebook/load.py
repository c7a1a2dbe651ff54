"""Read the shipped rule files and each user directory as raw data, merge them, validate once.

Merging, layer by layer (the shipped files first, then each `--rules` directory in order):
- a list of words extends the one below (`units = ["标准间"]` adds a unit word);
- a list of rules extends it too, and a rule whose `id` (or a unit whose `word`) is already
  there replaces that one in place;
- a table merges key by key (`[aliases]`, `[columns]`), except a single pattern rule
  (`[placeholder]`), which a file replaces whole;
- `disable = ["id", …]` removes rules of that file by id.

A user file may hold only what it adds. The merged book is validated once; an error names
the file the faulty entry came from, the rule id and the field.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple

from ..errors import RuleError
from . import bookcache
from .schema import RuleBook, Validation, alternation, build_trusted, validate_book

if TYPE_CHECKING:
    from pydantic import ValidationError

FILES = tuple(f"{field.name}.toml" for field in dataclasses.fields(RuleBook))
RENAMED = {"units.toml": "measures.toml", "deadlines.toml": "times.toml", "assignments.toml": "responsible.toml"}
DISABLE = "disable"
# The largest rule file policyparse reads: the shipped ones are a few kilobytes.
MAX_RULE_FILE_BYTES = 1_000_000

Raw = dict[str, Any]
# pydantic's words for the keys of a dataclass, said as they are of a file's entries.
MESSAGES = {"unexpected_keyword_argument": "Extra inputs are not permitted",
            "missing_keyword_only_argument": "Field required"}


class RuleSource(NamedTuple):
    """A rule file as read: the label errors name it by, its file name, its text."""

    label: str
    name: str
    text: str


# Where each entry of a merged file came from: a label per top-level key, and per item of a list.
Origins = dict[str, Any]


def _key(item: Any) -> Any:
    """What identifies a list item across layers: a rule's id, a unit's word."""
    if isinstance(item, dict):
        return item.get("id", item.get("word"))
    return None


def _is_rule(value: Any) -> bool:
    return isinstance(value, dict) and "pattern" in value


def _merge_list(base: list[Any], base_origins: list[str], extra: list[Any], label: str) -> tuple[list[Any], list[str]]:
    items, origins = list(base), list(base_origins)
    position = {_key(item): i for i, item in enumerate(items) if _key(item) is not None}
    for item in extra:
        key = _key(item)
        if key is not None and key in position:
            items[position[key]], origins[position[key]] = item, label
        elif not isinstance(item, (dict, list)) and item in items:
            continue  # a word already listed
        else:
            position.setdefault(key, len(items))
            items.append(item)
            origins.append(label)
    return items, origins


def merge(base: Raw, origins: Origins, extra: Raw, label: str) -> tuple[Raw, Origins]:
    """`extra` (read from the file `label`) merged on top of `base`."""
    merged, where = dict(base), dict(origins)
    for key, value in extra.items():
        below = merged.get(key)
        if isinstance(value, list) and isinstance(below, list):
            below_origins = where.get(key)
            if not isinstance(below_origins, list):
                below_origins = [below_origins] * len(below)
            merged[key], where[key] = _merge_list(below, below_origins, value, label)
        elif isinstance(value, dict) and isinstance(below, dict) and not _is_rule(value):
            merged[key], where[key] = merge(below, {}, value, label)[0], label
        else:
            merged[key], where[key] = value, label
    return merged, where


def disable(raw: Raw, origins: Origins, ids: Any, label: str) -> None:
    """Remove the rules with these ids from every list of the file; an id that names none is an error."""
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise RuleError(f"{label}: {DISABLE}: a list of rule ids")
    found: set[str] = set()
    for key, value in raw.items():
        if not isinstance(value, list):
            continue
        keep = [i for i, item in enumerate(value) if not (isinstance(item, dict) and item.get("id") in ids)]
        found |= {item["id"] for item in value if isinstance(item, dict) and item.get("id") in ids}
        raw[key] = [value[i] for i in keep]
        if isinstance(origins.get(key), list):
            origins[key] = [origins[key][i] for i in keep]
    unknown = [i for i in ids if i not in found]
    if unknown:
        raise RuleError(f"{label}: {DISABLE}: no rule {', '.join(unknown)} to disable in this file or below it")


def read_source(path: Path | resources.abc.Traversable, label: str) -> str:
    """The text of a rule file; a file that is no small regular text file is a RuleError."""
    if isinstance(path, Path):
        try:
            if not path.is_file():
                raise RuleError(f"{label}: not a regular file")
            if path.stat().st_size > MAX_RULE_FILE_BYTES:
                raise RuleError(f"{label}: larger than {MAX_RULE_FILE_BYTES:,} bytes; not a rule file")
        except OSError as exc:
            raise RuleError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise RuleError(f"{label}: cannot be read ({exc.strerror or exc})") from None
    except UnicodeDecodeError as exc:
        raise RuleError(f"{label}: not valid TOML: {exc}") from None


def parse_toml(text: str, label: str) -> Raw:
    import tomllib  # here: a run whose rule book comes from the cache reads no TOML

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RuleError(f"{label}: not valid TOML: {exc}") from None
    except RecursionError:
        raise RuleError(f"{label}: not valid TOML: arrays or tables nested too deeply") from None


def _user_files(directory: Path) -> Iterator[Path]:
    if not directory.is_dir():
        raise RuleError(f"{directory}: not a directory of rule files")
    for path in sorted(directory.glob("*.toml")):
        if path.name in RENAMED:
            raise RuleError(f"{path}: this file is now called {RENAMED[path.name]}; rename it")
        if path.name not in FILES:
            raise RuleError(f"{path}: unknown rule file (expected one of {', '.join(FILES)})")
        yield path


def _patterns_in(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        if isinstance(value.get("pattern"), str):
            yield value["pattern"]
        for inner in value.values():
            yield from _patterns_in(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _patterns_in(inner)


def _word_classes(measures: Raw) -> dict[str, str]:
    """`(?&measure)`: any unit word or scale word of measures.toml."""
    words = [u["word"] for u in measures.get("units") or [] if isinstance(u, dict) and isinstance(u.get("word"), str)]
    words += [w for w in measures.get("scales") or {} if isinstance(w, str)]
    return {"measure": alternation(words)}


def _error(exc: ValidationError, raws: dict[str, Raw], origins: dict[str, Origins]) -> RuleError:
    """The first validation error as `file: rule id: field: message`, the file being the layer the entry came from."""
    err = exc.errors()[0]
    loc = tuple(err["loc"])
    stem = str(loc[0])
    raw, where = raws.get(stem, {}), origins.get(stem, {})
    label, name, rest = f"rules/{stem}.toml", "", loc[1:]
    if len(loc) >= 2:
        key = str(loc[1])
        value, origin = raw.get(key), where.get(key)
        if len(loc) >= 3 and isinstance(loc[2], int) and isinstance(value, list) and loc[2] < len(value):
            item = value[loc[2]]
            label = origin[loc[2]] if isinstance(origin, list) else origin or label
            if isinstance(item, dict) and "id" in item:
                name, rest = f"rule {item['id']}", loc[3:]
            elif isinstance(item, dict) and "word" in item:
                name, rest = f"{key} {item['word']!r}", loc[3:]
        else:
            label = origin if isinstance(origin, str) else label
            if isinstance(value, dict) and "id" in value:
                name, rest = f"rule {value['id']}", loc[2:]
    message = MESSAGES.get(err["type"], str(err["msg"]).removeprefix("Value error, "))
    parts = [label, name, ".".join(str(p) for p in rest), message]
    return RuleError(": ".join(part for part in parts if part))


def load_rules(extra_dirs: Iterable[str | Path] = (), trust_shipped: bool = True) -> RuleBook:
    """The shipped rules, with the files of each directory in `extra_dirs` merged on top.

    Every user pattern is checked for catastrophic backtracking and runs its examples; the
    shipped ones are checked by the test suite and `policyparse rules check`, and trusted at
    run time (`trust_shipped`). A book validated once is kept in the cache (`bookcache`) under
    the content of its files, and the next process given the same files reads it back.

    >>> book = load_rules()
    >>> any(rule.id == "noise.page_number" for rule in book.normalize.noise)
    True
    """
    root = resources.files("policyparse.rules")
    shipped = [RuleSource(f"rules/{name}", name, read_source(root / name, f"rules/{name}")) for name in FILES]
    user = [RuleSource(str(path), path.name, read_source(path, str(path)))
            for directory in extra_dirs for path in _user_files(Path(directory))]
    if not trust_shipped:  # `rules check`: every pattern checked afresh
        return _validate(shipped, user, trust_shipped)
    key = bookcache.key(f"{source.label}\0{source.text}" for source in [*shipped, *user])
    book = bookcache.read(key)
    if book is None:
        book = _validate(shipped, user, trust_shipped)
        bookcache.write(key, book)
    return book


def _validate(shipped: list[RuleSource], user: list[RuleSource], trust_shipped: bool) -> RuleBook:
    """The rule book of the shipped files with the user's merged on top, in order."""
    raws: dict[str, Raw] = {}
    origins: dict[str, Origins] = {}
    for source in shipped:
        stem = source.name.removesuffix(".toml")
        raws[stem] = parse_toml(source.text, source.label)
        origins[stem] = {key: source.label for key in raws[stem]}
    trusted = frozenset(_patterns_in(raws)) if trust_shipped else frozenset()
    for source in user:
        stem = source.name.removesuffix(".toml")
        extra = parse_toml(source.text, source.label)
        ids = extra.pop(DISABLE, None)
        raws[stem], origins[stem] = merge(raws[stem], origins[stem], extra, source.label)
        if ids is not None:
            disable(raws[stem], origins[stem], ids, source.label)
    validation = Validation(trusted, _word_classes(raws["measures"]))
    if trust_shipped and not user:
        return build_trusted(raws, validation)
    from pydantic import ValidationError  # only a book of a user's files, not in the cache, is validated

    try:
        return validate_book(raws, validation)
    except ValidationError as exc:
        raise _error(exc, raws, origins) from None


@cache
def default_rules() -> RuleBook:
    """The shipped rules, loaded once per process."""
    return load_rules()

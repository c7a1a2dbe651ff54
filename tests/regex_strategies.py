"""Random regular expressions for property tests: atoms joined, alternated, repeated and wrapped."""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st


def patterns(atoms: Sequence[str], repeats: Sequence[str], wrappers: Sequence[str],
             max_leaves: int) -> st.SearchStrategy[str]:
    """Patterns built from `atoms`: two joined, two as alternatives, one repeated by any of `repeats`, one
    put inside any of `wrappers` (templates with `{}` for the inner pattern, e.g. `(?=a){}`)."""

    def compose(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.tuples(children, children).map("".join),
            st.tuples(children, children).map(lambda pair: f"(?:{pair[0]}|{pair[1]})"),
            st.tuples(children, st.sampled_from(repeats)).map(lambda pair: f"(?:{pair[0]}){pair[1]}"),
            *(children.map(wrapper.format) for wrapper in wrappers),
        )

    return st.recursive(st.sampled_from(atoms), compose, max_leaves=max_leaves)

"""Only plain links reach a view: http(s) with a host, mailto: and tel:, whoever wrote them.

A definition's links are checked by lint (``url.not_allowed``); a host's article search may
hand back any string, so the engine keeps only the matches whose link passes the same
allow-list. A frontend that trusts the view then never renders a ``javascript:`` link.
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from conftest import HOSTILE_LINKS, NOW, script
from kl_contact import (
    ArticleMatch,
    ArticlesFound,
    Engine,
    SearchArticles,
    default_workflow,
    lint_text,
)
from kl_contact._text import LINK_SCHEMES, link_allowed

ENGINE = Engine(default_workflow())

HOSTILE = HOSTILE_LINKS


def _searching() -> tuple[object, SearchArticles]:
    transition = ENGINE.start(session_id="s-1", now=NOW, locale="en")
    for event in script("email", "en")[:3]:
        transition = ENGINE.handle(transition.session, event, NOW)
    [search] = [e for e in transition.effects if isinstance(e, SearchArticles)]
    return transition.session, search


SESSION, SEARCH = _searching()


def _shown(urls: list[str]) -> list[str]:
    matches = tuple(
        ArticleMatch(id=f"kb-{n}", title="An article", url=url, score=1.0)
        for n, url in enumerate(urls)
    )
    after = ENGINE.handle(SESSION, ArticlesFound(SEARCH.search_id, matches), NOW)  # type: ignore[arg-type]
    assert after.view.articles is not None
    return [match.url for match in after.view.articles.matches]


def test_a_hosts_article_with_a_hostile_link_is_not_suggested() -> None:
    good = ["https://support.example.com/kb/1", "http://kb.example/2"]
    assert _shown(HOSTILE + good) == good


@given(st.lists(st.text(max_size=40) | st.sampled_from(HOSTILE), max_size=8))
def test_every_link_in_the_view_has_an_allowed_scheme(urls: list[str]) -> None:
    for url in _shown(urls):
        assert url.split(":", 1)[0].lower() in LINK_SCHEMES
        assert link_allowed(url)


@given(st.sampled_from(sorted(LINK_SCHEMES)), st.text(max_size=20))
def test_links_of_the_allowed_schemes_pass_when_plain(scheme: str, rest: str) -> None:
    tail = "".join(ch for ch in rest if ch.isalnum()) or "x"
    url = f"{scheme}://{tail}.example/p" if scheme.startswith("http") else f"{scheme}:{tail}"
    assert link_allowed(url)
    assert not link_allowed(url + " ")
    assert not link_allowed(url + "\x00")


def test_lint_refuses_a_hostile_link_in_a_definition() -> None:
    from conftest import minimal

    for url in HOSTILE:
        text = minimal().replace("https://example.com/c", url.replace('"', '\\"'), 1)
        assert text != minimal()
        codes = {finding.code for finding in lint_text(text)}
        assert "url.not_allowed" in codes, url

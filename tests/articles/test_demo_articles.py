"""The demo walk asks the built-in matcher, and what it shows depends on the answers."""

from __future__ import annotations

import io

from kl_contact import default_workflow
from kl_contact.articles.catalog import sample_catalog
from kl_contact.cli.demo import DemoSupportBackend, load_script, run_script

BY_ID = {article.id: article for article in sample_catalog()}


def shown_for(product: str, platform: str) -> tuple[str, ...]:
    script = load_script("helped")
    script["answers"] = {
        **script["answers"],
        "product": product,
        "platform": platform,
        "category": "installation",
        "subject": "Приложение не устанавливается, установка прерывается с ошибкой",
    }
    final = run_script(
        default_workflow(),
        script,
        session_id=f"demo-{product}",
        backend=DemoSupportBackend(),
        out=io.StringIO(),
        quiet=True,
    )
    assert final.view.kind == "resolved"
    assert final.session.articles.helped == final.session.articles.shown[0]
    return final.session.articles.shown


def test_two_products_are_shown_different_articles() -> None:
    vpn = shown_for("vpn", "android")
    safe_kids = shown_for("safe_kids", "ios")
    assert vpn
    assert safe_kids
    assert vpn != safe_kids
    for shown, product in ((vpn, "vpn"), (safe_kids, "safe_kids")):
        first = BY_ID[shown[0]]
        assert first.locale == "ru"
        assert not first.products or product in first.products

"""Sphinx extension: "Open in Colab", "Launch Binder" and "Edit this page" buttons.

Driven by one setting in ``conf.py``, ``handson_repository_url`` (for example
``https://github.com/org/hands-on-dl``). Unset, no button is shown. Set, every tutorial
page gets the three links above its text, and the theme shows its repository and
edit buttons on the hand-written pages. Colab and Binder open the generated notebooks,
which the site's deployment publishes to the branch ``handson_notebooks_branch``
(laid out ``<chapter>/<tutorial>.ipynb``, with ``requirements.txt`` at the top).
"""

from __future__ import annotations

import html
from urllib.parse import urlsplit

import layout
from sphinx.application import Sphinx
from sphinx.config import Config

_TUTORIAL = layout.DOCNAME


def _github(url: str) -> tuple[str, str] | None:
    parts = urlsplit(url)
    path = parts.path.strip("/").removesuffix(".git").split("/")
    if parts.netloc.endswith("github.com") and len(path) == 2:
        return path[0], path[1]
    return None


def configure_theme(app: Sphinx, config: Config) -> None:
    """Turn the theme's repository and edit buttons on when a repository is set."""
    url = config.handson_repository_url.strip()
    if not url:
        return
    config.html_theme_options.update(
        repository_url=url,
        repository_branch=config.handson_repository_branch,
        path_to_docs="",
        use_repository_button=True,
        use_edit_page_button=True,
        use_issues_button=True,
    )


def launch_links(config: Config, chapter: str, stem: str) -> list[tuple[str, str]]:
    """``(label, url)`` pairs for one tutorial; empty when no repository is set."""
    url = config.handson_repository_url.strip().rstrip("/")
    if not url:
        return []
    links = []
    gh = _github(url)
    notebook = f"{chapter}/{stem}.ipynb"
    if gh:
        owner, repo = gh
        nb_branch = config.handson_notebooks_branch
        links.append(("Open in Colab", "https://colab.research.google.com/github/"
                      f"{owner}/{repo}/blob/{nb_branch}/{notebook}"))
        links.append(("Launch Binder", f"https://mybinder.org/v2/gh/{owner}/{repo}/"
                      f"{nb_branch}?urlpath=lab/tree/{notebook}"))
    links.append(("Edit this page", f"{url}/edit/{config.handson_repository_branch}/"
                  f"tutorials/{chapter}/{stem}.py"))
    return links


def add_buttons(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    m = _TUTORIAL.match(pagename)
    if not m or "body" not in context:
        return
    context["theme_use_edit_page_button"] = False  # the theme would edit the generated rst
    links = launch_links(app.config, m["chapter"], m["stem"])
    if not links:
        return
    buttons = " ".join(
        f'<a class="sd-btn sd-btn-outline-primary handson-launch" href="{html.escape(u)}" '
        f'rel="noopener">{html.escape(label)}</a>' for label, u in links)
    context["body"] = f'<div class="handson-launch-buttons">{buttons}</div>\n' + context["body"]


def setup(app: Sphinx) -> dict:
    app.add_config_value("handson_repository_url", "", "html", types=[str])
    app.add_config_value("handson_repository_branch", "main", "html", types=[str])
    app.add_config_value("handson_notebooks_branch", "notebooks", "html", types=[str])
    app.connect("config-inited", configure_theme)
    app.connect("html-page-context", add_buttons)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Output jobs -> file contents: one page rendered through its template (and converted, for a
Traditional twin). Template mistakes become problems naming the template file and line."""

from __future__ import annotations

import traceback
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import jinja2

from .errors import BuildError
from .hant import Converter, localize_links
from .library import Library, Rendered
from .plan import OutputJob, site_variants, twins_of
from .templates import link_functions
from .twins import Placeholders


class PageRenderer:
    """Renders jobs of one build; holds what every page shares."""

    def __init__(self, env: jinja2.Environment, library: Library, bodies: Mapping[str, Rendered], converter: Converter | None) -> None:
        config = library.config
        variants = site_variants(config)
        self.converter = converter
        self.base_path = config.base_path
        shared = {"library": library, "bodies": bodies, "nav": tuple(c for c in config.categories if c.nav), "variants": variants}
        self.environments = {}
        for variant in variants:
            links = link_functions(config, variant)
            # Text that ends up inside URLs (share titles) is not reached by the page conversion: convert it here.
            links["in_script"] = converter.text if variant.key == "hant" and converter is not None else str
            others = tuple(other for other in variants if other.key != variant.key)
            self.environments[variant.key] = _variant_environment(env, {**shared, **links, "variant": variant, "other_variants": others})
        # A page and its twin are rendered once, for both (twins.py).
        self.placeholders = None
        self.unshared: set[str] = set()  # templates that could not render a page for both scripts: not tried again
        if converter is not None and len(variants) == 2:
            self.placeholders = Placeholders(config, *variants, env.filters["qr_image"], converter.text)
            self.environments["both"] = _variant_environment(env, {**shared, **self.placeholders.globals()},
                                                             {"qr_image": self.placeholders.qr_image})

    def render(self, job: OutputJob) -> bytes | Path | BuildError:
        """The job's content (a path for copied files), or the template problem that prevented it."""
        return self.render_many([job])[0]

    def render_many(self, jobs: Sequence[OutputJob]) -> list[bytes | Path | BuildError]:
        """What `render` gives for each job; a page and its twin among them are rendered together (see
        `plan.render_order`), and the Traditional twins are converted together."""
        filled: dict[str, str] = {}
        for page, twin in twins_of(jobs) if self.placeholders else ():
            both = self.together(page)
            if both is not None:
                filled[page.path], filled[twin.path] = both
        results = [filled[job.path] if job.path in filled else job.copy_from if job.copy_from is not None else self._filled_template(job)
                   for job in jobs]
        twins = [i for i, (job, result) in enumerate(zip(jobs, results, strict=True))
                 if isinstance(result, str) and job.variant.key == "hant" and self.converter is not None]
        if twins:
            for i, page in zip(twins, self.converter.pages([results[i] for i in twins]), strict=True):
                results[i] = page
        return [result.encode("utf-8") if isinstance(result, str) else result for result in results]

    def together(self, page: OutputJob) -> tuple[str, str] | None:
        """A page and its twin (not yet converted) from one rendering of their template (see twins.py), or None
        when they must be rendered each for itself: the template does more with what differs between the
        scripts than write it out, or it fails (and the failure is reported when the page is rendered alone)."""
        placeholders = self.placeholders
        if placeholders is None or page.template in self.unshared:
            return None
        placeholders.begin()
        try:
            template = self.environments["both"].get_template(page.template)
            both = placeholders.pages(template.render(job=placeholders.job(page), **placeholders.values(page)))
        except Exception:
            both = None
        if both is None:  # rendering it for both again would only be thrown away again
            self.unshared.add(page.template)
        return both

    def _filled_template(self, job: OutputJob) -> str | BuildError:
        try:
            return self.environments[job.variant.key].get_template(job.template).render(job=job, **self._variant_values(job))
        except jinja2.TemplateSyntaxError as exc:
            return BuildError(f"templates/{exc.name or exc.filename}", exc.lineno, "", f"模板语法错误：{exc.message}")
        except jinja2.TemplateNotFound as exc:
            return BuildError(job.origin, 0, "", f"找不到模板“{exc.name}”。请检查主题文件夹或网站的 templates/ 文件夹中是否有这个文件。")
        except Exception as exc:
            return BuildError(*_template_location(exc), "", f"渲染 {job.path} 时模板出错：{exc}")

    def _variant_values(self, job: OutputJob) -> Mapping[str, object]:
        """A Traditional twin's body links to the Traditional twins of other pages."""
        body = job.values.get("body")
        if job.variant.prefix and isinstance(body, Rendered):
            return {**job.values, "body": replace(body, html=localize_links(body.html, self.base_path, job.variant.prefix))}
        return job.values


def _variant_environment(env: jinja2.Environment, values: Mapping[str, object], filters: Mapping[str, object] | None = None) -> jinja2.Environment:
    """The theme's environment with what every page of a variant shares (its url() and the site's
    library) as globals. Macros then see url() when imported without context, so Jinja makes the
    macros module once, not again for every page that imports it."""
    # A cache of its own: a template is bound to the globals of the environment that loaded it.
    variant_env = env.overlay(cache_size=400)
    variant_env.globals = {**env.globals, **values}
    variant_env.filters = {**env.filters, **(filters or {})}
    return variant_env


def _template_location(exc: Exception) -> tuple[str, int]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html"):
            parts = Path(frame.filename).parts
            rel = "/".join(parts[parts.index("templates"):]) if "templates" in parts else frame.filename
            return rel, frame.lineno or 0
    return "templates", 0

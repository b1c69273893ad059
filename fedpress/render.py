"""Output jobs -> file contents: templates rendered to bytes, media referenced by path."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path

import jinja2

from .errors import Problems
from .hant import Converter, localize_links
from .library import Library
from .markup import Rendered
from .plan import OutputJob, site_variants
from .templates import link_functions


def render_jobs(env: jinja2.Environment, jobs: list[OutputJob], library: Library, bodies: Mapping[str, Rendered],
                problems: Problems, converter: Converter | None = None) -> dict[str, bytes | Path]:
    """Render every job; Traditional twins are converted by `converter`. Template mistakes are reported
    with the template's file and line."""
    files: dict[str, bytes | Path] = {}
    variants = site_variants(library.config)
    shared = {"library": library, "bodies": bodies, "nav": tuple(c for c in library.config.categories if c.nav), "variants": variants}
    links = {variant.key: link_functions(library.config, variant) for variant in variants}
    # Text that ends up inside URLs (share titles) is not reached by the page conversion: convert it here.
    for key, functions in links.items():
        functions["in_script"] = converter.text if key == "hant" and converter is not None else str
    for job in jobs:
        if job.copy_from is not None:
            files[job.path] = job.copy_from
            continue
        try:
            values = _variant_values(job, library.config.base_path)
            html = env.get_template(job.template).render(**shared, **links[job.variant.key], job=job, variant=job.variant, **values)
            if job.variant.key == "hant" and converter is not None:
                html = converter.page(html)
        except jinja2.TemplateSyntaxError as exc:
            problems.error(f"templates/{exc.name or exc.filename}", exc.lineno, "", f"模板语法错误：{exc.message}")
            break
        except jinja2.TemplateNotFound as exc:
            problems.error(job.origin, 0, "", f"找不到模板 {exc.name}，请检查主题文件夹。")
            break
        except Exception as exc:
            problems.error(*_template_location(exc), "", f"渲染 {job.path} 时模板出错：{exc}")
            break
        files[job.path] = html.encode("utf-8")
    return files


def _variant_values(job: OutputJob, base_path: str) -> Mapping[str, object]:
    """A Traditional twin's body links to the Traditional twins of other pages."""
    body = job.values.get("body")
    if job.variant.prefix and isinstance(body, Rendered):
        return {**job.values, "body": replace(body, html=localize_links(body.html, base_path, job.variant.prefix))}
    return job.values


def _template_location(exc: Exception) -> tuple[str, int]:
    for frame in reversed(traceback.extract_tb(exc.__traceback__)):
        if frame.filename.endswith(".html"):
            parts = Path(frame.filename).parts
            rel = "/".join(parts[parts.index("templates"):]) if "templates" in parts else frame.filename
            return rel, frame.lineno or 0
    return "templates", 0

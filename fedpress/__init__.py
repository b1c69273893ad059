"""fedpress: a static site generator for the news, notices and appeals of women's federations."""

__version__ = "0.1.0"

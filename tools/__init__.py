"""Build tools for the site: notebook execution, KaTeX, page post-processing, link checks."""

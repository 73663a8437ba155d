r"""The site's presentation: what the pages show, built from `derivations` (the math) and `mlp`.

- `boxes`: the answer, common-mistake and "How this page is checked" boxes of the homework
  pages, as HTML for `display(HTML(...))`;
- `worked`: the worked example of 1.1, one sample in small integers, every value at every node;
- `graph`: that example drawn as a computational graph, an SVG.
"""

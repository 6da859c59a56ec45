"""Sphinx configuration of the book (make book); tools/build_book.py copies it into the staged sources.

The Jupyter Book 1 stack: MyST-NB reads the committed executed notebooks (never runs them), the Sphinx
Book Theme lays out the pages, MathJax 3 typesets from a file in the site: nothing loads from the network.
"""
project = "mmviz"
author = "the mmviz authors"
copyright = "mmviz authors, MIT licence"
extensions = ["myst_nb"]
exclude_patterns = ["_build"]

nb_execution_mode = "off"               # the committed outputs are the book's outputs
nb_output_stderr = "show"
myst_enable_extensions = ["dollarmath", "amsmath"]
myst_all_links_external = True          # build_book.py already points notebook links at the pages
suppress_warnings = ["myst.header", "mystnb.unknown_mime_type"]

html_theme = "sphinx_book_theme"
html_title = "mmviz: multimodal Transformers you can run, see and move"
html_static_path = ["_static"]
html_css_files = ["book.css"]
html_copy_source = False                # the .ipynb download comes from the launch button's repository
html_show_sourcelink = False
html_context = {"default_mode": "light"}   # the theme's starting colours (the reader can switch)
mathjax_path = "mathjax/tex-svg-full.js"   # MathJax 3, one file (SVG output needs no web fonts)
mathjax3_config = {"tex": {"inlineMath": [["\\(", "\\)"]], "displayMath": [["\\[", "\\]"]]}}

html_theme_options = {
    "repository_url": "https://github.com/mmviz/mmviz",
    "repository_branch": "HEAD",
    "path_to_docs": "notebooks",
    "use_repository_button": True,
    "launch_buttons": {"binderhub_url": "https://mybinder.org", "notebook_interface": "jupyterlab"},
    "use_download_button": False,
    "show_toc_level": 2,
}

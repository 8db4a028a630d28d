"""The smartdc code generator: spec/ (YAML) -> smartdc/_generated/ and docs/reference.md.

Pipeline: load YAML -> validate against ``schema.json`` and cross-references -> typed intermediate
representation (:mod:`codegen.ir`) -> Jinja2 templates (StrictUndefined) -> ruff format -> files.
Never imported at runtime by smartdc.
"""

__version__ = "1.0.0"  # of the generator itself; generated headers stamp the smartdc version

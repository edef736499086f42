"""Compiled document templates and their manifest: written by ``python -m une_eval.report.precompiled``."""

JINJA_VERSION = '3.1.6'
SETTINGS = "autoescape=True;trim_blocks=True;lstrip_blocks=True;keep_trailing_newline=False;newline='\\n';optimized=True;delimiters=('{%', '%}', '{{')('}}', '{#', '#}');line_prefixes=(None, None);extensions=['jinja2.ext.InternationalizationExtension']"
TEMPLATES = {
    'certificate.html.j2': ('t_certificate_html_j2', 'e70383a604f5367ba4a59c581f43d8d81f95db238eca7454faacdf2cd1328a11'),
    'nodes.j2': ('t_nodes_j2', '6b7231ebb42d94cff84688dd8d7d1e1eaa73365ab241c0a0274681e5c0ccf358'),
    'words.j2': ('t_words_j2', '724751a112bf20e28610f8cf18c97657b24af0bca557b1a65c74ed6862ab425c'),
}

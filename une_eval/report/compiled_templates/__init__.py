"""Compiled document templates and their manifest: written by ``python -m une_eval.report.precompiled``."""

JINJA_VERSION = '3.1.6'
SETTINGS = "autoescape=True;trim_blocks=True;lstrip_blocks=True;keep_trailing_newline=False;newline='\\n';optimized=True;delimiters=('{%', '%}', '{{')('}}', '{#', '#}');line_prefixes=(None, None);extensions=['jinja2.ext.InternationalizationExtension']"
TEMPLATES = {
    'certificate.html.j2': ('t_certificate_html_j2', 'c0a7206cabd169f75af7004ddc7d8866a81d87cd9dc0e6469f47debfdfaf9438'),
    'nodes.j2': ('t_nodes_j2', '3a8ceaf268ed9e5cc5074c79c3f9e6e69ff30b0c118e4b31732084411ccdd310'),
    'words.j2': ('t_words_j2', '724751a112bf20e28610f8cf18c97657b24af0bca557b1a65c74ed6862ab425c'),
}

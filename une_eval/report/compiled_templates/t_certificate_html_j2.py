from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'certificate.html.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_p = resolve('p')
    l_0_res = resolve('res')
    l_0__ = resolve('_')
    l_0_lang = resolve('lang')
    l_0_number = resolve('number')
    l_0_auditor = resolve('auditor')
    l_0_verdict = resolve('verdict')
    l_0_generator = resolve('generator')
    l_0_issued_at = resolve('issued_at')
    l_0_findings_sha256 = resolve('findings_sha256')
    l_0_qr_svg = resolve('qr_svg')
    l_0_registry = resolve('registry')
    l_0_file_name = resolve('file_name')
    l_0_when = resolve('when')
    l_0_sub = resolve('sub')
    l_0_ngettext = resolve('ngettext')
    l_0_max_findings = resolve('max_findings')
    l_0_num = resolve('num')
    l_0_term = resolve('term')
    l_0_timedelta = resolve('timedelta')
    l_0_rating = resolve('rating')
    l_0_lead = resolve('lead')
    l_0_classes = resolve('classes')
    l_0_last = resolve('last')
    l_0_pgettext = resolve('pgettext')
    l_0_scheme_text = resolve('scheme_text')
    l_0_chart = resolve('chart')
    l_0_max_nodes = resolve('max_nodes')
    l_0_date = resolve('date')
    l_0_max_traces = resolve('max_traces')
    l_0_conformant = l_0_fu = l_0_epu = l_0_st = l_0_title = l_0_w = l_0_nodes = l_0_figs = l_0_pw = l_0_factor = l_0_reference_name = l_0_groups = l_0_n_nodes = l_0_mass = l_0_pv = l_0_unc = l_0_site = missing
    try:
        t_1 = environment.filters['abs']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'abs' found.")
    try:
        t_2 = environment.filters['int']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'int' found.")
    try:
        t_3 = environment.filters['join']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No filter named 'join' found.")
    try:
        t_4 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_4(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_5 = environment.filters['list']
    except KeyError:
        @internalcode
        def t_5(*unused):
            raise TemplateRuntimeError("No filter named 'list' found.")
    try:
        t_6 = environment.filters['map']
    except KeyError:
        @internalcode
        def t_6(*unused):
            raise TemplateRuntimeError("No filter named 'map' found.")
    try:
        t_7 = environment.filters['max']
    except KeyError:
        @internalcode
        def t_7(*unused):
            raise TemplateRuntimeError("No filter named 'max' found.")
    try:
        t_8 = environment.filters['round']
    except KeyError:
        @internalcode
        def t_8(*unused):
            raise TemplateRuntimeError("No filter named 'round' found.")
    try:
        t_9 = environment.filters['select']
    except KeyError:
        @internalcode
        def t_9(*unused):
            raise TemplateRuntimeError("No filter named 'select' found.")
    try:
        t_10 = environment.filters['selectattr']
    except KeyError:
        @internalcode
        def t_10(*unused):
            raise TemplateRuntimeError("No filter named 'selectattr' found.")
    try:
        t_11 = environment.tests['defined']
    except KeyError:
        @internalcode
        def t_11(*unused):
            raise TemplateRuntimeError("No test named 'defined' found.")
    pass
    l_0_conformant = environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'conformant')
    context.vars['conformant'] = l_0_conformant
    context.exported_vars.add('conformant')
    l_0_fu = environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'functional_unit')
    context.vars['fu'] = l_0_fu
    context.exported_vars.add('fu')
    l_0_epu = environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'energy_per_unit')
    context.vars['epu'] = l_0_epu
    context.exported_vars.add('epu')
    l_0_st = environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'statistics')
    context.vars['st'] = l_0_st
    context.exported_vars.add('st')
    l_0_title = (context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Certificate of conformity') if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Non-conformity report'))
    context.vars['title'] = l_0_title
    context.exported_vars.add('title')
    l_0_w = context.vars['w'] = environment.get_template('words.j2', 'certificate.html.j2').make_module(context.get_all(), True, {'classes': l_0_classes, 'conformant': l_0_conformant, 'epu': l_0_epu, 'factor': l_0_factor, 'figs': l_0_figs, 'fu': l_0_fu, 'groups': l_0_groups, 'last': l_0_last, 'mass': l_0_mass, 'n_nodes': l_0_n_nodes, 'nodes': l_0_nodes, 'pv': l_0_pv, 'pw': l_0_pw, 'reference_name': l_0_reference_name, 'site': l_0_site, 'st': l_0_st, 'title': l_0_title, 'unc': l_0_unc, 'w': l_0_w})
    context.exported_vars.discard('w')
    l_0_nodes = context.vars['nodes'] = environment.get_template('nodes.j2', 'certificate.html.j2').make_module(context.get_all(), True, {'classes': l_0_classes, 'conformant': l_0_conformant, 'epu': l_0_epu, 'factor': l_0_factor, 'figs': l_0_figs, 'fu': l_0_fu, 'groups': l_0_groups, 'last': l_0_last, 'mass': l_0_mass, 'n_nodes': l_0_n_nodes, 'nodes': l_0_nodes, 'pv': l_0_pv, 'pw': l_0_pw, 'reference_name': l_0_reference_name, 'site': l_0_site, 'st': l_0_st, 'title': l_0_title, 'unc': l_0_unc, 'w': l_0_w})
    context.exported_vars.discard('nodes')
    yield '<!DOCTYPE html>\n<html lang="'
    yield escape((undefined(name='lang') if l_0_lang is missing else l_0_lang))
    yield '">\n<head>\n<meta charset="utf-8">\n<title>'
    yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
    yield ' '
    yield escape((undefined(name='number') if l_0_number is missing else l_0_number))
    yield '</title>\n<meta name="author" content="'
    yield escape(environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'name'))
    yield '">\n<meta name="description" content="'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'AI energy-efficiency evaluation, certificate number'))
    yield ' '
    yield escape((undefined(name='number') if l_0_number is missing else l_0_number))
    yield '">\n<meta name="keywords" content="'
    yield escape((undefined(name='number') if l_0_number is missing else l_0_number))
    yield ', '
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'outcome'))
    yield ', '
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'profile'))
    yield '">\n<meta name="generator" content="'
    yield escape((undefined(name='generator') if l_0_generator is missing else l_0_generator))
    yield '">\n<meta name="dcterms.created" content="'
    yield escape(context.call(environment.getattr((undefined(name='issued_at') if l_0_issued_at is missing else l_0_issued_at), 'isoformat')))
    yield '">\n<meta name="une-eval-certificate-number" content="'
    yield escape((undefined(name='number') if l_0_number is missing else l_0_number))
    yield '">\n<meta name="une-eval-verdict" content="'
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'outcome'))
    yield '">\n<meta name="une-eval-profile" content="'
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'profile'))
    yield '">\n<meta name="une-eval-submission-sha256" content="'
    yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'submission_sha256'))
    yield '">\n<meta name="une-eval-findings-sha256" content="'
    yield escape((undefined(name='findings_sha256') if l_0_findings_sha256 is missing else l_0_findings_sha256))
    yield '">\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_sha256'):
        pass
        yield '<meta name="une-eval-profile-sha256" content="'
        yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_sha256'))
        yield '">'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_version'):
        pass
        yield '<meta name="une-eval-profile-version" content="'
        yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_version'))
        yield '">'
    yield '</head>\n<body class="'
    yield escape(('conformity' if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else 'nonconformity'))
    yield '">'
    if (environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'development') or (not (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant))):
        pass
        yield '<div class="watermark" aria-hidden="true">\n'
        if environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'development'):
            pass
            yield '<div class="wm-dev">'
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Development key, not valid'))
            yield '</div>'
        if (not (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant)):
            pass
            yield '<div class="wm-nc">'
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Not a certificate'))
            yield '</div>'
        yield '</div>\n'
    yield '<table class="verify-area"><tr>\n  <td class="qr">'
    yield escape((undefined(name='qr_svg') if l_0_qr_svg is missing else l_0_qr_svg))
    yield '</td>\n  <td class="verify-text">\n    <div class="qr-caption">'
    yield escape((context.call((undefined(name='_') if l_0__ is missing else l_0__), "The certificate's current status in the register") if (undefined(name='registry') if l_0_registry is missing else l_0_registry) else (context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Certificate number and submission SHA-256') if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Report number and submission SHA-256'))))
    yield '</div>\n    <div class="small">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'To verify the signature and the attached evidence:'))
    yield '</div>\n    <code class="mono small">une-eval verify &#8203;<span class="v">&#x2068;'
    yield escape((undefined(name='file_name') if l_0_file_name is missing else l_0_file_name))
    yield '&#x2069;</span> --trust ca.pem --crl ca.crl</code>\n  </td>\n</tr></table>\n<div class="signature-area">\n  <div class="sig-label">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "Auditor's electronic signature (PAdES)"))
    yield '</div>\n  <div class="sig-box"></div>\n</div>\n\n<header class="masthead">\n  <div class="brand">\n    <svg class="logo" width="34" height="34" viewBox="0 0 34 34" aria-hidden="true">\n      <circle cx="17" cy="17" r="16" fill="none" stroke="#1f3a5f" stroke-width="2"/>\n      <path d="M19 5 L9 19 H16 L14 29 L25 14 H18 Z" fill="#1f3a5f"/>\n    </svg>\n    <div>\n      <div class="issuer">&#8203;<span class="v">&#x2068;'
    yield escape((environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'organisation') or environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'name')))
    yield '&#x2069;</span></div>\n      <div class="tagline">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Energy-efficiency evaluation of AI systems (UNE-style)'))
    yield '</div>\n    </div>\n  </div>\n  <table class="ident">\n    <tr><th>'
    yield escape((context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Certificate no.') if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Report no.')))
    yield '</th><td class="mono strong certno">'
    yield escape((undefined(name='number') if l_0_number is missing else l_0_number))
    yield '</td></tr>\n    <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Issued'))
    yield '</th><td>'
    yield escape(context.call((undefined(name='when') if l_0_when is missing else l_0_when), (undefined(name='issued_at') if l_0_issued_at is missing else l_0_issued_at)))
    yield '</td></tr>\n  </table>\n</header>\n'
    if environment.getattr((undefined(name='auditor') if l_0_auditor is missing else l_0_auditor), 'development'):
        pass
        yield '<p class="dev-banner">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Signed with a development key (une-eval keys init): this document is not valid.'))
        yield '</p>'
    if environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'replay'):
        pass
        yield '<p class="replay-banner" data-replay="'
        yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'replay'), 'kind'))
        yield '">'
        if (environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'replay'), 'kind') == 'rehearsal'):
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "Rehearsal: a workload command was timed against a recorded trace; the energy figures are the recording's, not measured on the system under test."))
        else:
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Replayed recording: the energy figures were played back from a recording, not measured on the system under test.'))
        yield '</p>'
    yield '\n<h1 class="doc-title">'
    yield escape((undefined(name='title') if l_0_title is missing else l_0_title))
    yield '</h1>\n<p class="assurance-level small" data-assurance="'
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'assurance'))
    yield '">'
    yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'assurance'), environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'assurance')))
    yield '</p>\n'
    if environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'imported'):
        pass
        yield '<p class="imported small" data-source-format="'
        yield escape(environment.getattr(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'imported'), 'source_format'))
        yield '">'
        yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), "Imported from another tool's output (%(source)s): %(num)s of its values was not measured by that tool (estimated, sourced or declared); the attached submission gives the origin of each value.", "Imported from another tool's output (%(source)s): %(num)s of its values were not measured by that tool (estimated, sourced or declared); the attached submission gives the origin of each value.", t_4(environment.getattr(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'imported'), 'not_measured')), source=context.call(environment.getattr((undefined(name='nodes') if l_0_nodes is missing else l_0_nodes), 'v'), environment.getattr(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'imported'), 'source_format'))))
        yield '</p>'
    yield '<p class="lead">'
    yield escape((context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The submission identified below was checked against the profile named below and conforms to it: no finding of severity error was raised. Each figure below says how une-eval knows it.') if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else (context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The submission identified below was checked against the profile named below and does NOT conform to it. This report lists every finding; it is not a certificate of conformity, and its figures are not certified.') if (t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')) <= (undefined(name='max_findings') if l_0_max_findings is missing else l_0_max_findings)) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The submission identified below was checked against the profile named below and does NOT conform to it. This report lists the first %(shown)s of its %(total)s findings, errors first; the attached findings file (findings.json) lists every one. It is not a certificate of conformity, and its figures are not certified.', shown=context.call((undefined(name='num') if l_0_num is missing else l_0_num), (undefined(name='max_findings') if l_0_max_findings is missing else l_0_max_findings)), total=context.call((undefined(name='num') if l_0_num is missing else l_0_num), t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')))))))
    yield '</p>\n\n'
    l_0_figs = context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figure_map'))
    context.vars['figs'] = l_0_figs
    context.exported_vars.add('figs')
    def macro(l_1_key):
        t_12 = []
        if l_1_key is missing:
            l_1_key = undefined("parameter 'key' was not provided", name='key')
        pass
        t_12.append(
            escape((context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'provenance'), environment.getattr(environment.getitem((undefined(name='figs') if l_0_figs is missing else l_0_figs), l_1_key), 'provenance')) if (l_1_key in (undefined(name='figs') if l_0_figs is missing else l_0_figs)) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'as declared'))),
        )
        return concat(t_12)
    context.exported_vars.add('pw')
    context.vars['pw'] = l_0_pw = Macro(environment, macro, 'pw', ('key',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_value, l_1_source, l_1_period):
        t_13 = []
        if l_1_value is missing:
            l_1_value = undefined("parameter 'value' was not provided", name='value')
        if l_1_source is missing:
            l_1_source = undefined("parameter 'source' was not provided", name='source')
        if l_1_period is missing:
            l_1_period = undefined("parameter 'period' was not provided", name='period')
        pass
        t_13.extend((
            escape(l_1_value),
            ': &#8203;<span class="v">&#x2068;',
            escape(l_1_source),
        ))
        if l_1_period:
            pass
            t_13.extend((
                ', ',
                escape(l_1_period),
            ))
        t_13.append(
            '&#x2069;</span>',
        )
        return concat(t_13)
    context.exported_vars.add('factor')
    context.vars['factor'] = l_0_factor = Macro(environment, macro, 'factor', ('value', 'source', 'period'), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_ref):
        t_14 = []
        if l_1_ref is missing:
            l_1_ref = undefined("parameter 'ref' was not provided", name='ref')
        pass
        if l_1_ref:
            pass
            t_14.extend((
                '&#8203;<span class="v">&#x2068;',
                escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr(l_1_ref, 'name'))),
                ', ',
                escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr(l_1_ref, 'edition'))),
                ' (',
                escape(environment.getattr(l_1_ref, 'date')),
                ')&#x2069;</span>',
            ))
        else:
            pass
            t_14.append(
                escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "the scheme's own reference values")),
            )
        return concat(t_14)
    context.exported_vars.add('reference_name')
    context.vars['reference_name'] = l_0_reference_name = Macro(environment, macro, 'reference_name', ('ref',), False, False, False, context.eval_ctx.autoescape)
    yield '<section class="top">\n  <div class="sut">\n    <h2>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'System under test'))
    yield '</h2>\n    <p class="small muted declared-note">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'As declared by the submitter, except the profile and the validity period.'))
    yield '</p>\n    <table class="kv">\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Model'))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'model'), 'name'))
    yield '&#x2069;</span>'
    if environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'model'), 'version'):
        pass
        yield ' <span class="muted">(&#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'model'), 'version'))
        yield '&#x2069;</span>)</span>'
    yield ' · &#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'model'), 'provider'))
    yield '&#x2069;</span></td></tr>\n'
    l_0_groups = context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'accelerator_groups'))
    context.vars['groups'] = l_0_groups
    context.exported_vars.add('groups')
    l_0_n_nodes = t_4(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'hardware'), 'nodes'))
    context.vars['n_nodes'] = l_0_n_nodes
    context.exported_vars.add('n_nodes')
    yield '      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Hardware'))
    yield '</th><td>\n'
    l_1_loop = missing
    for l_1_g, l_1_loop in LoopContext((undefined(name='groups') if l_0_groups is missing else l_0_groups)[:3], undefined):
        _loop_vars = {}
        pass
        yield '&#8203;<span class="v">&#x2068;'
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_1_g, 'count'), _loop_vars=_loop_vars))
        yield ' × '
        yield escape(environment.getattr(l_1_g, 'vendor'))
        yield ' '
        yield escape(environment.getattr(l_1_g, 'model'))
        yield '&#x2069;</span>'
        if (not environment.getattr(l_1_loop, 'last')):
            pass
            yield ', '
    l_1_loop = l_1_g = missing
    if (t_4((undefined(name='groups') if l_0_groups is missing else l_0_groups)) > 3):
        pass
        yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), 'and %(num)s other accelerator model', 'and %(num)s other accelerator models', (t_4((undefined(name='groups') if l_0_groups is missing else l_0_groups)) - 3)))
    if ((undefined(name='n_nodes') if l_0_n_nodes is missing else l_0_n_nodes) > 1):
        pass
        yield '<span class="muted">('
        yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s node', '%(num)s nodes', (undefined(name='n_nodes') if l_0_n_nodes is missing else l_0_n_nodes)))
        yield '; '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'each node in Annex B'))
        yield ')</span>'
    yield '      </td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Software'))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'software'), 'framework'))
    yield ' '
    yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'software'), 'framework_version'))
    yield '&#x2069;</span>'
    if environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'software'), 'serving_engine'):
        pass
        yield ', &#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'software'), 'serving_engine'), 'name'))
        yield ' '
        yield escape(environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'software'), 'serving_engine'), 'version'))
        yield '&#x2069;</span>'
    yield '</td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Site'))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'country'))
    if environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'region'):
        pass
        yield ', '
        yield escape(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'region'))
    yield '&#x2069;</span> · PUE '
    yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'pue'), 'value'), 3))
    yield ' ('
    yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.pue'))
    yield ')</td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Phase'))
    yield '</th><td>'
    yield escape(context.call((undefined(name='term') if l_0_term is missing else l_0_term), environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'phase')))
    yield '</td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Submitted by'))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'submitter'), 'organisation'))
    yield '&#x2069;</span></td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Submission'))
    yield '</th><td class="mono">&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'submission_id'))
    yield '&#x2069;</span></td></tr>\n      <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Profile'))
    yield '</th><td class="mono profile-used">'
    yield escape(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'profile'))
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_version'):
        pass
        yield ' v&#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_version'))
        yield '&#x2069;</span>'
    yield '</td></tr>\n'
    if (((undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) and (not (undefined(name='registry') if l_0_registry is missing else l_0_registry))) and environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'validity_days')):
        pass
        yield '      <tr><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Valid'))
        yield '</th><td>'
        yield escape(context.call(environment.getattr(context.call(environment.getattr((undefined(name='issued_at') if l_0_issued_at is missing else l_0_issued_at), 'date')), 'isoformat')))
        yield ' – '
        yield escape(context.call(environment.getattr(context.call(environment.getattr(((undefined(name='issued_at') if l_0_issued_at is missing else l_0_issued_at) + context.call((undefined(name='timedelta') if l_0_timedelta is missing else l_0_timedelta), days=environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'validity_days'))), 'date')), 'isoformat')))
        yield ' <span class="muted">('
        yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s day, the period the profile sets', '%(num)s days, the period the profile sets', environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'validity_days')))
        yield ')</span></td></tr>\n'
    if (undefined(name='registry') if l_0_registry is missing else l_0_registry):
        pass
        yield '      <tr class="registry-entry"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Valid'))
        yield '</th><td>'
        yield escape(context.call(environment.getattr(environment.getattr((undefined(name='registry') if l_0_registry is missing else l_0_registry), 'valid_from'), 'isoformat')))
        yield ' – '
        yield escape(context.call(environment.getattr(environment.getattr((undefined(name='registry') if l_0_registry is missing else l_0_registry), 'valid_until'), 'isoformat')))
        yield '</td></tr>\n      <tr class="registry-entry"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Current status'))
        yield '</th><td class="mono registry-url">&#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr((undefined(name='registry') if l_0_registry is missing else l_0_registry), 'url'))
        yield '&#x2069;</span></td></tr>\n'
    yield '</table>\n  </div>\n  <div class="side">\n    <div class="verdict-box">\n      <div class="verdict-label">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Verdict'))
    yield '</div>\n      <div class="verdict-value">'
    yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'outcome'), environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'outcome')))
    yield '</div>\n      <div class="verdict-counts">'
    yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s error', '%(num)s errors', t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'errors'))))
    yield ' · '
    yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s warning', '%(num)s warnings', t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'warnings'))))
    yield '</div>\n    </div>\n'
    if ((undefined(name='rating') if l_0_rating is missing else l_0_rating) and (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant)):
        pass
        yield '    <div class="rating" data-basis="'
        yield escape(environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'key'))
        yield '">\n      <div class="rating-title">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Efficiency class'))
        yield '</div>'
        l_0_classes = (environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'classes') or ['A', 'B', 'C', 'D', 'E', 'F', 'G'])
        context.vars['classes'] = l_0_classes
        context.exported_vars.add('classes')
        l_0_last = t_7(environment, [(t_4((undefined(name='classes') if l_0_classes is missing else l_0_classes)) - 1), 1])
        context.vars['last'] = l_0_last
        context.exported_vars.add('last')
        l_1_loop = missing
        for l_1_letter, l_1_loop in LoopContext((undefined(name='classes') if l_0_classes is missing else l_0_classes), undefined):
            l_1_colour = missing
            _loop_vars = {}
            pass
            l_1_colour = environment.getitem('ABCDEFG', t_2(t_8(((environment.getattr(l_1_loop, 'index0') * 6) / (undefined(name='last') if l_0_last is missing else l_0_last)))))
            _loop_vars['colour'] = l_1_colour
            yield '      <div class="bar bar-'
            yield escape((undefined(name='colour') if l_1_colour is missing else l_1_colour))
            yield escape((' chosen' if (l_1_letter == environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'grade')) else cond_expr_undefined("the inline if-expression on line 134 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
            yield '" data-class="'
            yield escape(l_1_letter)
            yield '" style="width: '
            yield escape((38 + t_2(t_8(((environment.getattr(l_1_loop, 'index0') * 42) / (undefined(name='last') if l_0_last is missing else l_0_last))))))
            yield '%">&#8203;<span class="v">&#x2068;'
            yield escape(l_1_letter)
            yield '&#x2069;</span>'
            if (l_1_letter == environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'grade')):
                pass
                yield '<span class="pointer">◀</span>'
            yield '</div>\n'
        l_1_loop = l_1_letter = l_1_colour = missing
        yield '      <div class="rating-basis">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Class %(grade)s, computed on the key figure (%(basis)s).', grade=environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'grade'), basis=context.call((undefined(name='pgettext') if l_0_pgettext is missing else l_0_pgettext), 'rating metric', environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'metric'))))
        yield '</div>\n'
        if (environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'provenance') != 'recomputed'):
            pass
            yield '<div class="rating-input" data-provenance="'
            yield escape(environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'provenance'))
            yield '">'
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The GPU energy this class is computed on was not recomputed from raw traces (%(provenance)s).', provenance=context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'provenance'), environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'provenance'))))
            yield '</div>'
        yield '      <div class="rating-kind" data-kind="'
        yield escape(environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'kind'))
        yield '">'
        if environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'relative'):
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Relative class: placed among the reference values of %(reference)s.', reference=context.call((undefined(name='reference_name') if l_0_reference_name is missing else l_0_reference_name), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference'))))
        else:
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "Absolute class: against the scheme's fixed thresholds."))
        yield '</div>\n      <div class="rating-scheme">&#8203;<span class="v">&#x2068;'
        yield escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'scheme_title')))
        yield '&#x2069;</span> <span class="mono">('
        yield escape(environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'scheme'))
        yield ')</span>'
        if environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'provisional'):
            pass
            yield ' · '
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'provisional scheme, not an official label'))
        yield '</div>\n    </div>\n'
    elif (undefined(name='rating') if l_0_rating is missing else l_0_rating):
        pass
        yield '    <div class="rating no-class">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'No efficiency class: a class is given only with a certificate of conformity.'))
        yield '</div>\n'
    yield '  </div>\n</section>'
    def macro(l_1_g):
        t_15 = []
        if l_1_g is missing:
            l_1_g = undefined("parameter 'g' was not provided", name='g')
        pass
        if (t_1(l_1_g) >= 1000000):
            pass
            t_15.extend((
                escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), (l_1_g / 1000000))),
                ' t',
            ))
        elif (t_1(l_1_g) >= 1000):
            pass
            t_15.extend((
                escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), (l_1_g / 1000))),
                ' kg',
            ))
        else:
            pass
            t_15.extend((
                escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), l_1_g)),
                ' g',
            ))
        return concat(t_15)
    context.exported_vars.add('mass')
    context.vars['mass'] = l_0_mass = Macro(environment, macro, 'mass', ('g',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_varargs):
        t_16 = []
        l_1_f = resolve('f')
        l_1_ks = missing
        pass
        l_1_ks = t_5(context.eval_ctx, t_9(context, l_1_varargs, 'in', (undefined(name='figs') if l_0_figs is missing else l_0_figs)))
        if (undefined(name='ks') if l_1_ks is missing else l_1_ks):
            pass
            l_1_f = environment.getitem((undefined(name='figs') if l_0_figs is missing else l_0_figs), environment.getitem((undefined(name='ks') if l_1_ks is missing else l_1_ks), 0))
            t_16.extend((
                '<td class="prov prov-',
                escape(environment.getattr((undefined(name='f') if l_1_f is missing else l_1_f), 'provenance')),
                '" data-provenance="',
                escape(environment.getattr((undefined(name='f') if l_1_f is missing else l_1_f), 'provenance')),
                '" data-figures="',
                escape(t_3(context.eval_ctx, (undefined(name='ks') if l_1_ks is missing else l_1_ks), ' ')),
                '">',
                escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'provenance'), environment.getattr((undefined(name='f') if l_1_f is missing else l_1_f), 'provenance'))),
                '</td>',
            ))
        else:
            pass
            t_16.append(
                '<td class="prov"></td>',
            )
        return concat(t_16)
    context.exported_vars.add('pv')
    context.vars['pv'] = l_0_pv = Macro(environment, macro, 'pv', (), False, True, False, context.eval_ctx.autoescape)
    yield '<section class="results">\n  <h2>'
    yield escape((context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Key results') if (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant) else context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Declared figures (not certified)')))
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'results_recomputed'):
        pass
        yield ' <span class="muted small">('
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared in the submission; recomputed from its runs'))
        yield ')</span>'
    yield '</h2>\n  <p class="small provenance-summary">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Figures recomputed by une-eval from the raw traces: %(recomputed)s; checked against the other declared figures: %(checked)s; taken as declared: %(declared)s; external factors with their source: %(sourced)s.', recomputed=t_4(t_5(context.eval_ctx, t_10(context, environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figures'), 'provenance', 'equalto', 'recomputed'))), checked=t_4(t_5(context.eval_ctx, t_10(context, environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figures'), 'provenance', 'equalto', 'checked'))), declared=t_4(t_5(context.eval_ctx, t_10(context, environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figures'), 'provenance', 'equalto', 'declared'))), sourced=t_4(t_5(context.eval_ctx, t_10(context, environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figures'), 'provenance', 'equalto', 'sourced')))))
    yield '</p>\n  <div class="headline" data-figures="'
    yield escape(environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'key'))
    yield '" data-provenance="'
    yield escape(environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'provenance'))
    yield '">\n'
    if (not (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant)):
        pass
        yield '<span class="not-certified">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Not certified'))
        yield '</span>'
    yield '    <span class="figure">'
    yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'value')))
    yield ' '
    yield escape(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'energy_unit'))
    yield '</span>\n    <span class="per">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'per %(count)s %(unit)s', count=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'count'), 6), unit=context.call((undefined(name='term') if l_0_term is missing else l_0_term), environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'unit_name'))))
    yield '</span>\n    <span class="prov small">('
    yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'provenance'), environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'provenance')))
    yield ')</span>\n    <div class="basis small">'
    if environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'rated'):
        pass
        yield escape(context.call((undefined(name='pgettext') if l_0_pgettext is missing else l_0_pgettext), 'rating metric', environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'metric')))
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'all measured IT energy'))
    if environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'rated'):
        pass
        yield ' · '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'key figure, the basis of the efficiency class'))
    yield '</div>\n  </div>\n  <table class="figures">\n'
    if (environment.getattr(environment.getattr((undefined(name='lead') if l_0_lead is missing else l_0_lead), 'figure'), 'key') != 'energy_per_unit'):
        pass
        yield '    <tr class="fig"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Energy per functional unit, all measured IT energy'))
        yield '</th><td>'
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='epu') if l_0_epu is missing else l_0_epu), 'value')))
        yield ' '
        yield escape(environment.getattr((undefined(name='epu') if l_0_epu is missing else l_0_epu), 'unit'))
        yield ' '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'per %(count)s %(unit)s', count=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='fu') if l_0_fu is missing else l_0_fu), 'count'), 6), unit=context.call((undefined(name='term') if l_0_term is missing else l_0_term), environment.getattr((undefined(name='fu') if l_0_fu is missing else l_0_fu), 'unit'))))
        yield '</td>'
        yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'energy_per_unit'))
        yield '</tr>\n'
    if (environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'n_runs') >= 2):
        pass
        yield '    <tr class="fig"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), '95 %% confidence interval (runs)'))
        yield '</th><td>'
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), t_7(environment, [environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'ci95_low'), 0])))
        yield ' – '
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'ci95_high')))
        yield ' '
        yield escape(environment.getattr((undefined(name='epu') if l_0_epu is missing else l_0_epu), 'unit'))
        yield ' ('
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'n'))
        yield ' = '
        yield escape(environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'n_runs'))
        yield ', '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'CV'))
        yield ' '
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'cv_pct'), 3))
        yield ' %)'
        if (environment.getattr((undefined(name='st') if l_0_st is missing else l_0_st), 'ci95_low') < 0):
            pass
            yield ' <span class="muted">'
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'lower bound shown as 0: the interval computed from the runs reaches below zero'))
            yield '</span>'
        yield '</td>'
        yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'statistics.ci95_low', 'statistics.ci95_high', 'statistics.cv_pct'))
        yield '</tr>\n'
    else:
        pass
        yield '    <tr><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Repeatability'))
        yield '</th><td>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'a single run: no confidence interval can be given'))
        yield '</td><td class="prov"></td></tr>\n'
    l_0_unc = t_5(context.eval_ctx, t_10(context, t_6(context, t_10(context, environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'methods'), 'instrument'), attribute='instrument'), 'uncertainty_pct'))
    context.vars['unc'] = l_0_unc
    context.exported_vars.add('unc')
    yield '    <tr class="'
    yield escape(('fig' if (undefined(name='unc') if l_0_unc is missing else l_0_unc) else cond_expr_undefined("the inline if-expression on line 172 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Instrument uncertainty'))
    yield '</th><td>\n'
    if (undefined(name='unc') if l_0_unc is missing else l_0_unc):
        pass
        l_1_loop = missing
        for l_1_i, l_1_loop in LoopContext((undefined(name='unc') if l_0_unc is missing else l_0_unc), undefined):
            _loop_vars = {}
            pass
            yield '± '
            yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_1_i, 'uncertainty_pct'), 2, _loop_vars=_loop_vars))
            yield ' % (&#8203;<span class="v">&#x2068;'
            yield escape(environment.getattr(l_1_i, 'name'))
            yield '&#x2069;</span>)'
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield '; '
        l_1_loop = l_1_i = missing
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '    </td>'
    if (undefined(name='unc') if l_0_unc is missing else l_0_unc):
        pass
        yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), *context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'figure_keys'), 'instrument.')))
    else:
        pass
        yield '<td class="prov"></td>'
    yield '</tr>\n'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'work_units_total')):
        pass
        yield '    <tr class="fig"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Work done, all runs'))
        yield '</th><td>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), '%(count)s %(unit)s, as counted by the submitter', count=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'work_units_total'), 9), unit=context.call((undefined(name='term') if l_0_term is missing else l_0_term), environment.getattr((undefined(name='fu') if l_0_fu is missing else l_0_fu), 'unit'))))
        yield '</td>'
        yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'work_units_total'))
        yield '</tr>\n'
    yield '    <tr class="fig"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Energy, all runs (IT)'))
    yield '</th><td>'
    yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), (environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'energy_total'), 'total_j') / 3600000), 4))
    yield ' kWh ('
    yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'energy_total'), 'total_j')))
    yield ' J)'
    if t_11(environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'energy_total'), 'gpu_j')):
        pass
        yield ' · GPU '
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), (environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'energy_total'), 'gpu_j') / 3600000), 4))
        yield ' kWh'
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'energy_total.total_j'))
    yield '</tr>\n    <tr class="'
    yield escape(('fig' if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'mean_power_w')) else cond_expr_undefined("the inline if-expression on line 179 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Mean power'))
    yield '</th><td>'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'mean_power_w')):
        pass
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'mean_power_w')))
        yield ' W'
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'mean_power_w'))
    yield '</tr>\n    <tr class="'
    yield escape(('fig' if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'facility_energy_kwh')) else cond_expr_undefined("the inline if-expression on line 180 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Facility energy (× PUE)'))
    yield '</th><td>'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'facility_energy_kwh')):
        pass
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'facility_energy_kwh')))
        yield ' kWh'
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'facility_energy_kwh'))
    yield '</tr>\n    <tr class="'
    yield escape(('fig' if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'emissions_g_co2e')) else cond_expr_undefined("the inline if-expression on line 181 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Emissions'))
    yield '</th><td>'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'emissions_g_co2e')):
        pass
        yield escape(context.call((undefined(name='mass') if l_0_mass is missing else l_0_mass), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'emissions_g_co2e')))
        yield ' CO₂e <span class="muted">('
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'grid_intensity'), 'value_g_per_kwh')))
        yield ' g/kWh, '
        yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'grid_basis'), environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'grid_intensity'), 'basis')))
        yield ', '
        yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.grid_intensity'))
        yield ')</span>'
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'emissions_g_co2e'))
    yield '</tr>\n    <tr class="'
    yield escape(('fig' if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'water_l')) else cond_expr_undefined("the inline if-expression on line 182 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Water (site WUE)'))
    yield '</th><td>'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'water_l')):
        pass
        yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'water_l')))
        yield ' L'
        if environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'wue'):
            pass
            yield ' <span class="muted">('
            yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site'), 'wue'), 'value_l_per_kwh'), 3))
            yield ' L/kWh, '
            yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.wue'))
            yield ')</span>'
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'water_l'))
    yield '</tr>\n    <tr class="'
    yield escape(('fig' if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'sci')) else cond_expr_undefined("the inline if-expression on line 183 in 'certificate.html.j2' evaluated to false and no else section was defined.")))
    yield '"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'SCI (ISO/IEC 21031)'))
    yield '</th><td>'
    if t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'sci')):
        pass
        yield escape(context.call((undefined(name='mass') if l_0_mass is missing else l_0_mass), environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'sci'), 'score_g_co2e_per_unit')))
        yield ' CO₂e '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'per %(count)s %(unit)s', count=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'sci'), 'functional_unit'), 'count'), 6), unit=context.call((undefined(name='term') if l_0_term is missing else l_0_term), environment.getattr(environment.getattr(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'sci'), 'functional_unit'), 'unit'))))
    else:
        pass
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'not declared'))
    yield '</td>'
    yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'sci.score_g_co2e_per_unit'))
    yield '</tr>\n  </table>\n  <p class="small legend">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Recomputed: from the raw traces by une-eval. Checked: declared, and consistent with the other declared figures by a named rule (the findings file lists it). As declared: not checked. Sourced: an external factor with its stated source. Estimated: modelled, not measured.'))
    yield '</p>\n</section>'
    if (('prediction.energy_j' in (undefined(name='figs') if l_0_figs is missing else l_0_figs)) and t_11(environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'prediction'))):
        pass
        yield '<section class="prediction">\n  <h2>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Predicted full run (estimated, not measured)'))
        yield '</h2>\n  <table class="figures">\n    <tr class="fig estimated"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Energy of the full run, predicted'))
        yield '</th><td>'
        yield escape(context.call(environment.getattr((undefined(name='nodes') if l_0_nodes is missing else l_0_nodes), 'prediction_text'), environment.getattr((undefined(name='res') if l_0_res is missing else l_0_res), 'prediction')))
        yield '</td>'
        yield escape(context.call((undefined(name='pv') if l_0_pv is missing else l_0_pv), 'prediction.energy_j', 'prediction.low_j', 'prediction.high_j'))
        yield '</tr>\n  </table>\n  <p class="small">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'An estimate from the measured runs, not a measurement: it assumes the steps not measured use the energy per step of those measured, and no measured figure above includes it.'))
        yield '</p>\n</section>\n'
    if environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'nodes'):
        pass
        yield '<section class="job-nodes">\n  <h2>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Nodes of the job'))
        yield '</h2>\n  '
        yield escape(context.call(environment.getattr((undefined(name='nodes') if l_0_nodes is missing else l_0_nodes), 'node_section'), environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'nodes'), context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'provenance'), context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'node_total_provenance')))))
        yield '\n'
        if (not environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'complete')):
            pass
            yield '<p class="small incomplete-why"><b>'
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Incomplete:'))
            yield '</b> '
            yield escape(context.call(environment.getattr((undefined(name='nodes') if l_0_nodes is missing else l_0_nodes), 'v'), (environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'measurement'), 'incomplete_reason') or '')))
            yield '</p>'
        yield '</section>\n'
    yield '<section class="findings-summary">\n  <h2>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Findings'))
    yield '</h2>\n'
    if environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings'):
        pass
        yield '  <ul>\n'
        for l_1_f in environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')[:4]:
            l_1_finding_text = resolve('finding_text')
            _loop_vars = {}
            pass
            yield '    <li><span class="sev sev-'
            yield escape(environment.getattr(l_1_f, 'severity'))
            yield '">'
            yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars))
            yield '</span> <span class="mono">'
            yield escape(environment.getattr(l_1_f, 'rule_id'))
            yield '</span> — &#8203;<span class="v">&#x2068;'
            yield escape(context.call((undefined(name='finding_text') if l_1_finding_text is missing else l_1_finding_text), l_1_f, _loop_vars=_loop_vars))
            yield '&#x2069;</span></li>\n'
        l_1_f = l_1_finding_text = missing
        yield '  </ul>\n  <p class="small">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'All findings, with the exact place in the submission, are listed in Annex A.'))
        yield '</p>\n'
    else:
        pass
        yield '  <p>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'No findings.'))
        yield '</p>\n'
    yield '</section>\n\n<section class="annex">\n  <h2>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Annex A · Findings'))
    yield '</h2>\n'
    if environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings'):
        pass
        yield '  <table class="findings">\n    <thead><tr><th>#</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Severity'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Rule'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Where (JSON Pointer)'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Finding'))
        yield '</th></tr></thead>\n    <tbody>\n'
        l_1_loop = missing
        for l_1_f, l_1_loop in LoopContext(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')[:(undefined(name='max_findings') if l_0_max_findings is missing else l_0_max_findings)], undefined):
            l_1_finding_text = resolve('finding_text')
            _loop_vars = {}
            pass
            yield '    <tr><td>'
            yield escape(environment.getattr(l_1_loop, 'index'))
            yield '</td><td><span class="sev sev-'
            yield escape(environment.getattr(l_1_f, 'severity'))
            yield '">'
            yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'severity'), environment.getattr(l_1_f, 'severity'), _loop_vars=_loop_vars))
            yield '</span></td><td class="mono">'
            yield escape(environment.getattr(l_1_f, 'rule_id'))
            yield '</td><td class="mono ptr">&#8203;<span class="v">&#x2068;'
            yield escape((environment.getattr(l_1_f, 'pointer') or '/'))
            yield '&#x2069;</span></td><td>&#8203;<span class="v">&#x2068;'
            yield escape(context.call((undefined(name='finding_text') if l_1_finding_text is missing else l_1_finding_text), l_1_f, _loop_vars=_loop_vars))
            yield '&#x2069;</span></td></tr>\n'
        l_1_loop = l_1_f = l_1_finding_text = missing
        yield '    </tbody>\n  </table>\n'
        if (t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')) > (undefined(name='max_findings') if l_0_max_findings is missing else l_0_max_findings)):
            pass
            yield '  <p class="small more">'
            yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s more finding is listed in the attached findings file (findings.json).', '%(num)s more findings are listed in the attached findings file (findings.json).', (t_4(environment.getattr((undefined(name='verdict') if l_0_verdict is missing else l_0_verdict), 'findings')) - (undefined(name='max_findings') if l_0_max_findings is missing else l_0_max_findings))))
            yield '</p>\n'
    else:
        pass
        yield '  <p>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'No findings.'))
        yield '</p>\n'
    yield '\n'
    if (undefined(name='chart') if l_0_chart is missing else l_0_chart):
        pass
        yield '  <h2>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Power over time (raw traces)'))
        yield '</h2>\n  <svg class="chart" width="'
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'width'))
        yield 'pt" height="'
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height'))
        yield 'pt" viewBox="0 0 '
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'width'))
        yield ' '
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height'))
        yield '">\n'
        for l_1_tick in environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'y_ticks'):
            _loop_vars = {}
            pass
            yield '    <line x1="'
            yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'left'))
            yield '" x2="'
            yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'width') - 8))
            yield '" y1="'
            yield escape(environment.getattr(l_1_tick, 'pos'))
            yield '" y2="'
            yield escape(environment.getattr(l_1_tick, 'pos'))
            yield '" stroke="#ddd" stroke-width="0.5"/>\n    <text x="'
            yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'left') - 4))
            yield '" y="'
            yield escape((environment.getattr(l_1_tick, 'pos') + 3))
            yield '" font-size="7" text-anchor="end" fill="#444">'
            yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_1_tick, 'value'), 3, _loop_vars=_loop_vars))
            yield '</text>\n'
        l_1_tick = missing
        for l_1_tick in environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'x_ticks'):
            _loop_vars = {}
            pass
            yield '    <text x="'
            yield escape(environment.getattr(l_1_tick, 'pos'))
            yield '" y="'
            yield escape(((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height') - environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bottom')) + 12))
            yield '" font-size="7" text-anchor="middle" fill="#444">'
            yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_1_tick, 'value'), 3, _loop_vars=_loop_vars))
            yield '</text>\n'
        l_1_tick = missing
        yield '    <line x1="'
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'left'))
        yield '" x2="'
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'left'))
        yield '" y1="8" y2="'
        yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height') - environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bottom')))
        yield '" stroke="#333" stroke-width="0.7"/>\n    <line x1="'
        yield escape(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'left'))
        yield '" x2="'
        yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'width') - 8))
        yield '" y1="'
        yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height') - environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bottom')))
        yield '" y2="'
        yield escape((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height') - environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bottom')))
        yield '" stroke="#333" stroke-width="0.7"/>\n'
        for l_1_band in environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bands'):
            _loop_vars = {}
            pass
            yield '    <rect x="'
            yield escape(environment.getattr(l_1_band, 'x0'))
            yield '" y="8" width="'
            yield escape(t_7(environment, [(environment.getattr(l_1_band, 'x1') - environment.getattr(l_1_band, 'x0')), 0.6]))
            yield '" height="'
            yield escape(((environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'height') - environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bottom')) - 8))
            yield '" fill="'
            yield escape(('#f6cccc' if environment.getattr(l_1_band, 'failed') else '#e4ecf5'))
            yield '"/>\n'
            if (((environment.getattr(l_1_band, 'x1') - environment.getattr(l_1_band, 'x0')) > 9) or environment.getattr(l_1_band, 'failed')):
                pass
                yield '<text x="'
                yield escape(((environment.getattr(l_1_band, 'x0') + environment.getattr(l_1_band, 'x1')) / 2))
                yield '" y="15" font-size="6" text-anchor="middle" fill="'
                yield escape(('#b71c1c' if environment.getattr(l_1_band, 'failed') else '#4a5a70'))
                yield '">'
                yield escape(environment.getattr(l_1_band, 'index'))
                if environment.getattr(l_1_band, 'failed'):
                    pass
                    yield ' ✗'
                yield '</text>'
        l_1_band = missing
        for l_1_line in environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'lines'):
            _loop_vars = {}
            pass
            yield '    <polyline points="'
            yield escape(environment.getattr(l_1_line, 'points'))
            yield '" fill="none" stroke="'
            yield escape(environment.getattr(l_1_line, 'colour'))
            yield '" stroke-width="0.8"/>\n'
        l_1_line = missing
        yield '  </svg>\n  <p class="small chart-legend">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'x: seconds since the first sample; y: instantaneous power, W'))
        if environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bands'):
            pass
            yield ' · '
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'shaded: the measured runs, numbered'))
            if t_5(context.eval_ctx, t_10(context, environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'bands'), 'failed')):
                pass
                yield '; '
                yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'red with ✗: a run that did not complete'))
        yield ' ·\n'
        l_1_loop = missing
        for l_1_line, l_1_loop in LoopContext(environment.getattr((undefined(name='chart') if l_0_chart is missing else l_0_chart), 'lines'), undefined):
            _loop_vars = {}
            pass
            yield '<span style="color: '
            yield escape(environment.getattr(l_1_line, 'colour'))
            yield '">■</span> &#8203;<span class="v">&#x2068;'
            yield escape(environment.getattr(l_1_line, 'label'))
            yield '&#x2069;</span>'
            if (not environment.getattr(l_1_loop, 'last')):
                pass
                yield ', '
        l_1_loop = l_1_line = missing
        yield '</p>\n'
    yield '\n  <h2>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Annex B · Provenance and evidence'))
    yield '</h2>\n'
    if ((undefined(name='n_nodes') if l_0_n_nodes is missing else l_0_n_nodes) > 1):
        pass
        yield '  <p class="small nodes-declared">'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The nodes, as declared by the submitter:'))
        yield '</p>\n  <table class="nodes">\n    <thead><tr><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Node'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Accelerators'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'CPU'))
        yield '</th><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Memory'))
        yield '</th></tr></thead>\n    <tbody>\n'
        l_1_loop = missing
        for l_1_node, l_1_loop in LoopContext(environment.getattr(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'hardware'), 'nodes')[:(undefined(name='max_nodes') if l_0_max_nodes is missing else l_0_max_nodes)], undefined):
            _loop_vars = {}
            pass
            yield '    <tr><td class="mono">&#8203;<span class="v">&#x2068;'
            yield escape(environment.getattr(l_1_node, 'node_id'))
            yield '&#x2069;</span></td><td>'
            l_2_loop = missing
            for l_2_acc, l_2_loop in LoopContext(environment.getattr(l_1_node, 'accelerators'), undefined):
                _loop_vars = {}
                pass
                yield '&#8203;<span class="v">&#x2068;'
                yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_2_acc, 'count'), _loop_vars=_loop_vars))
                yield ' × '
                yield escape(environment.getattr(l_2_acc, 'vendor'))
                yield ' '
                yield escape(environment.getattr(l_2_acc, 'model'))
                yield '&#x2069;</span>'
                if (not environment.getattr(l_2_loop, 'last')):
                    pass
                    yield ', '
            l_2_loop = l_2_acc = missing
            yield '</td><td>&#8203;<span class="v">&#x2068;'
            yield escape(environment.getattr(environment.getattr(l_1_node, 'cpu'), 'model'))
            yield '&#x2069;</span></td><td>'
            yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(l_1_node, 'memory_gb'), _loop_vars=_loop_vars))
            yield ' GB</td></tr>\n'
        l_1_loop = l_1_node = missing
        yield '    </tbody>\n  </table>\n'
        if ((undefined(name='n_nodes') if l_0_n_nodes is missing else l_0_n_nodes) > (undefined(name='max_nodes') if l_0_max_nodes is missing else l_0_max_nodes)):
            pass
            yield '  <p class="small more">'
            yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s more node is listed in the attached submission (submission.json).', '%(num)s more nodes are listed in the attached submission (submission.json).', ((undefined(name='n_nodes') if l_0_n_nodes is missing else l_0_n_nodes) - (undefined(name='max_nodes') if l_0_max_nodes is missing else l_0_max_nodes))))
            yield '</p>\n'
    yield '  <table class="kv prov">\n    <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "Vendor's attestation"))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'attestation'), 'signed_by'))
    yield '&#x2069;</span>, '
    yield escape(context.call((undefined(name='date') if l_0_date is missing else l_0_date), environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'attestation'), 'date')))
    if environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'attestation'), 'statement'):
        pass
        yield ': «&#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'attestation'), 'statement'))
        yield '&#x2069;</span>»'
    yield '</td></tr>\n'
    l_0_site = environment.getattr(environment.getattr((undefined(name='sub') if l_0_sub is missing else l_0_sub), 'system'), 'site')
    context.vars['site'] = l_0_site
    context.exported_vars.add('site')
    yield '    <tr class="site-factors"><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Site factors and their stated sources'))
    yield '</th><td>PUE '
    yield escape(context.call((undefined(name='factor') if l_0_factor is missing else l_0_factor), context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'pue'), 'value'), 3), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'pue'), 'source'), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'pue'), 'period')))
    yield ' ('
    yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.pue'))
    yield '); '
    yield escape(context.call((undefined(name='factor') if l_0_factor is missing else l_0_factor), markup_join((context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'grid_intensity'), 'value_g_per_kwh')), ' g CO₂e/kWh, ', context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'grid_basis'), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'grid_intensity'), 'basis')), )), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'grid_intensity'), 'source'), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'grid_intensity'), 'year')))
    yield ' ('
    yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.grid_intensity'))
    yield ')'
    if environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'wue'):
        pass
        yield '; WUE '
        yield escape(context.call((undefined(name='factor') if l_0_factor is missing else l_0_factor), markup_join((context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'wue'), 'value_l_per_kwh'), 3), ' L/kWh', )), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'wue'), 'source'), environment.getattr(environment.getattr((undefined(name='site') if l_0_site is missing else l_0_site), 'wue'), 'period')))
        yield ' ('
        yield escape(context.call((undefined(name='pw') if l_0_pw is missing else l_0_pw), 'site.wue'))
        yield ')'
    yield '</td></tr>\n    <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Submission file'))
    yield '</th><td>&#8203;<span class="v">&#x2068;'
    yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'source_name'))
    yield '&#x2069;</span> ('
    yield escape(context.call((undefined(name='num') if l_0_num is missing else l_0_num), t_4(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'submission_bytes'))))
    yield ' B)</td></tr>\n    <tr><th>SHA-256 '
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), '(submission)'))
    yield '</th><td class="mono hash">'
    yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'submission_sha256'))
    yield '</td></tr>\n    <tr><th>SHA-256 '
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), '(findings)'))
    yield '</th><td class="mono hash">'
    yield escape((undefined(name='findings_sha256') if l_0_findings_sha256 is missing else l_0_findings_sha256))
    yield '</td></tr>\n'
    for l_1_tr in context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'listed_traces'), (undefined(name='max_traces') if l_0_max_traces is missing else l_0_max_traces)):
        _loop_vars = {}
        pass
        yield '    <tr><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Trace', _loop_vars=_loop_vars))
        yield ' &#8203;<span class="v">&#x2068;'
        yield escape(environment.getattr(l_1_tr, 'device_id'))
        yield '&#x2069;</span></th><td><span class="mono hash">'
        yield escape(environment.getattr(l_1_tr, 'sha256_declared'))
        yield '</span><br>&#8203;<span class="v small">&#x2068;'
        yield escape(environment.getattr(l_1_tr, 'path'))
        yield '&#x2069;</span> — '
        yield escape(context.call(environment.getattr((undefined(name='w') if l_0_w is missing else l_0_w), 'trace_note'), environment.getattr(l_1_tr, 'note'), _loop_vars=_loop_vars))
        yield '</td></tr>\n'
    l_1_tr = missing
    if (t_4(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'traces')) > t_4(context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'listed_traces'), (undefined(name='max_traces') if l_0_max_traces is missing else l_0_max_traces)))):
        pass
        yield '<tr class="more-traces"><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Trace'))
        yield '</th><td class="small">'
        yield escape(context.call((undefined(name='ngettext') if l_0_ngettext is missing else l_0_ngettext), '%(num)s more trace, whose hash matches its file, is listed in the attached submission (submission.json).', '%(num)s more traces, whose hashes match their files, are listed in the attached submission (submission.json).', (t_4(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'traces')) - t_4(context.call(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'listed_traces'), (undefined(name='max_traces') if l_0_max_traces is missing else l_0_max_traces))))))
        yield '</td></tr>'
    if ((undefined(name='rating') if l_0_rating is missing else l_0_rating) and (undefined(name='conformant') if l_0_conformant is missing else l_0_conformant)):
        pass
        yield '    <tr><th>'
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Efficiency class'))
        yield '</th><td>'
        yield escape(environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'grade'))
        yield ' · &#8203;<span class="v">&#x2068;'
        yield escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'scheme_title')))
        yield '&#x2069;</span> ('
        yield escape(environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'scheme'))
        yield ')'
        if environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'provisional'):
            pass
            yield ', '
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'provisional scheme, not an official label'))
        yield '; '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'reference group, chosen by the task and the parameter count the submission declares'))
        yield ': &#8203;<span class="v">&#x2068;'
        yield escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'group')))
        yield '&#x2069;</span>.\n'
        if environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'relative'):
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Relative class against %(reference)s; reference range of the group: %(low)s to %(high)s %(unit)s.', reference=context.call((undefined(name='reference_name') if l_0_reference_name is missing else l_0_reference_name), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference')), low=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference_low')), high=context.call((undefined(name='num') if l_0_num is missing else l_0_num), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference_high')), unit=context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'unit'))))
            if (environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'value') < environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference_low')):
                pass
                yield ' '
                yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The rated value lies below the lowest reference value.'))
            elif (environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'value') > environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'reference_high')):
                pass
                yield ' '
                yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'The rated value lies above the highest reference value.'))
        else:
            pass
            yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), "Absolute class: against the scheme's fixed thresholds."))
        if environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'notice'):
            pass
            yield '&#8203;<span class="v">&#x2068;'
            yield escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'notice')))
            yield '&#x2069;</span>'
        yield '      '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Reference values'))
        yield ': &#8203;<span class="v">&#x2068;'
        yield escape(context.call((undefined(name='scheme_text') if l_0_scheme_text is missing else l_0_scheme_text), environment.getattr((undefined(name='rating') if l_0_rating is missing else l_0_rating), 'provenance')))
        yield '&#x2069;</span></td></tr>\n'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_sha256'):
        pass
        yield '<tr><th>SHA-256 '
        yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), '(profile)'))
        yield '</th><td class="mono hash">'
        yield escape(environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_sha256'))
        yield '</td></tr>'
    yield '    <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Attached files'))
    yield '</th><td>submission.json, findings.json'
    if environment.getattr((undefined(name='p') if l_0_p is missing else l_0_p), 'profile_sha256'):
        pass
        yield ', profile.json'
    yield ' ('
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'embedded in this PDF; their SHA-256 are printed above'))
    yield ')</td></tr>\n    <tr><th>'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'How to verify'))
    yield '</th><td class="small"><code class="mono">une-eval verify &#8203;<span class="v">&#x2068;'
    yield escape((undefined(name='file_name') if l_0_file_name is missing else l_0_file_name))
    yield '&#x2069;</span> --trust ca.pem --crl ca.crl</code></td></tr>\n  </table>\n  <p class="disclaimer">'
    yield escape(context.call((undefined(name='_') if l_0__ is missing else l_0__), 'Issued with une-eval, a UNE-style toolkit. The profile encodes public references only; this document does not claim conformance to UNE 0086, whose text is not public. The electronic signature covers the whole file and the attached evidence; any change after signing invalidates it.'))
    yield '</p>\n</section>\n</body>\n</html>'

blocks = {}
debug_info = '9=108&10=111&11=114&12=117&13=120&14=123&15=125&17=128&20=130&21=134&22=136&23=140&24=146&25=148&26=150&27=152&28=154&29=156&30=158&31=160&32=165&34=171&37=173&39=176&40=181&46=188&48=190&49=192&50=194&54=196&65=198&66=200&70=202&71=206&74=210&75=215&77=228&78=230&79=234&80=242&82=244&84=247&86=258&88=284&91=309&92=311&94=313&95=325&96=328&97=332&98=335&99=349&100=352&102=360&103=374&104=386&105=390&106=394&107=398&108=407&109=410&113=418&114=421&115=427&122=432&123=434&124=436&126=440&127=443&128=445&130=447&131=450&132=454&133=458&134=461&136=476&137=478&138=486&139=495&141=504&142=507&148=510&151=536&153=565&154=572&155=574&156=578&157=584&158=588&159=590&160=592&163=603&164=606&166=616&167=619&169=646&171=650&172=654&173=658&174=677&175=684&176=687&178=694&179=708&180=722&181=736&182=756&183=777&185=792&190=794&192=797&194=799&196=805&199=807&201=810&202=812&203=814&209=823&210=825&212=828&213=833&216=843&218=848&223=851&224=853&226=856&228=865&229=870&233=884&234=887&237=892&240=895&241=898&242=900&243=908&244=912&245=920&247=927&248=931&250=939&251=945&252=953&253=957&254=965&256=978&257=982&260=988&261=999&264=1013&265=1015&266=1018&268=1020&270=1029&271=1033&275=1057&276=1060&280=1063&281=1074&282=1078&283=1096&284=1102&285=1106&286=1110&287=1114&289=1125&290=1132&291=1135&292=1152&293=1166&294=1172&296=1176&297=1184&298=1192&300=1196'
# Compiled from certificate.html.j2 by python -m une_eval.report.precompiled.

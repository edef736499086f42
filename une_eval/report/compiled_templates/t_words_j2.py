from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'words.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_outcome = l_0_severity = l_0_provenance = l_0_grid_basis = l_0_trace_note = l_0_assurance = missing
    pass
    def macro(l_1_code):
        t_1 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_1.append(
            escape(environment.getitem({'conformant': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'CONFORMANT'), 'non-conformant': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'NON-CONFORMANT'), 'invalid': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'INVALID'), 'error': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'NOT CHECKED')}, l_1_code)),
        )
        return concat(t_1)
    context.exported_vars.add('outcome')
    context.vars['outcome'] = l_0_outcome = Macro(environment, macro, 'outcome', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_2 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_2.append(
            escape(environment.getitem({'error': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'error'), 'warning': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'warning'), 'info': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'info')}, l_1_code)),
        )
        return concat(t_2)
    context.exported_vars.add('severity')
    context.vars['severity'] = l_0_severity = Macro(environment, macro, 'severity', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_3 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_3.append(
            escape(environment.getitem({'recomputed': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'recomputed'), 'checked': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'checked'), 'declared': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'as declared'), 'sourced': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'sourced'), 'estimated': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'estimated')}, l_1_code)),
        )
        return concat(t_3)
    context.exported_vars.add('provenance')
    context.vars['provenance'] = l_0_provenance = Macro(environment, macro, 'provenance', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_4 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_4.append(
            escape(environment.getitem({'location-based': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'location-based'), 'market-based': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'market-based')}, l_1_code)),
        )
        return concat(t_4)
    context.exported_vars.add('grid_basis')
    context.vars['grid_basis'] = l_0_grid_basis = Macro(environment, macro, 'grid_basis', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_5 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_5.append(
            escape(environment.getitem({'match': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'hash matches the file'), 'mismatch': context.call((undefined(name='_') if l_1__ is missing else l_1__), "the file's hash differs from the declared one"), 'missing': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'file not available to the auditor'), 'outside': context.call((undefined(name='_') if l_1__ is missing else l_1__), "path outside the submission's folder: not read")}, l_1_code)),
        )
        return concat(t_5)
    context.exported_vars.add('trace_note')
    context.vars['trace_note'] = l_0_trace_note = Macro(environment, macro, 'trace_note', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_6 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_6.append(
            escape(environment.getitem({'evidence-checked': context.call((undefined(name='_') if l_1__ is missing else l_1__), "Evidence level: every accelerator's energy in every run was recomputed from its raw trace (evidence-checked)."), 'declared-only': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Evidence level: declared only; the energies were not all recomputed from raw traces.')}, l_1_code)),
        )
        return concat(t_6)
    context.exported_vars.add('assurance')
    context.vars['assurance'] = l_0_assurance = Macro(environment, macro, 'assurance', ('code',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '2=12&3=24&4=36&5=48&6=60&7=72'
# Compiled from words.j2 by python -m une_eval.report.precompiled.

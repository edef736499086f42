from jinja2.runtime import LoopContext, Macro, Markup, Namespace, TemplateNotFound, TemplateReference, TemplateRuntimeError, Undefined, escape, identity, internalcode, markup_join, missing, str_join
name = 'nodes.j2'

def root(context, missing=missing):
    resolve = context.resolve_or_missing
    undefined = environment.undefined
    concat = environment.concat
    cond_expr_undefined = Undefined
    if 0: yield None
    l_0_kwh = l_0_status = l_0_source = l_0_v = l_0_node_row = l_0_node_section = l_0_prediction_text = missing
    try:
        t_1 = environment.filters['length']
    except KeyError:
        @internalcode
        def t_1(*unused):
            raise TemplateRuntimeError("No filter named 'length' found.")
    try:
        t_2 = environment.filters['round']
    except KeyError:
        @internalcode
        def t_2(*unused):
            raise TemplateRuntimeError("No filter named 'round' found.")
    try:
        t_3 = environment.tests['none']
    except KeyError:
        @internalcode
        def t_3(*unused):
            raise TemplateRuntimeError("No test named 'none' found.")
    pass
    def macro(l_1_energy_j):
        t_4 = []
        l_1_num = resolve('num')
        if l_1_energy_j is missing:
            l_1_energy_j = undefined("parameter 'energy_j' was not provided", name='energy_j')
        pass
        if t_3(l_1_energy_j):
            pass
            t_4.append(
                '–',
            )
        else:
            pass
            t_4.extend((
                escape(context.call((undefined(name='num') if l_1_num is missing else l_1_num), (l_1_energy_j / 3600000), 4)),
                ' kWh',
            ))
        return concat(t_4)
    context.exported_vars.add('kwh')
    context.vars['kwh'] = l_0_kwh = Macro(environment, macro, 'kwh', ('energy_j',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_5 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_5.append(
            escape(context.call(environment.getattr({'complete': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'complete'), 'partial': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'partial'), 'excluded': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'excluded'), '': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'not stated'), 'unknown': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'not stated')}, 'get'), l_1_code, l_1_code)),
        )
        return concat(t_5)
    context.exported_vars.add('status')
    context.vars['status'] = l_0_status = Macro(environment, macro, 'status', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_code):
        t_6 = []
        l_1__ = resolve('_')
        if l_1_code is missing:
            l_1_code = undefined("parameter 'code' was not provided", name='code')
        pass
        t_6.append(
            escape(context.call(environment.getattr({'slurm-sacct': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Slurm accounting (sacct ConsumedEnergyRaw)'), 'dcgm-stats': context.call((undefined(name='_') if l_1__ is missing else l_1__), 'DCGM job statistics (dcgmi stats)')}, 'get'), l_1_code, l_1_code)),
        )
        return concat(t_6)
    context.exported_vars.add('source')
    context.vars['source'] = l_0_source = Macro(environment, macro, 'source', ('code',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_text):
        t_7 = []
        if l_1_text is missing:
            l_1_text = undefined("parameter 'text' was not provided", name='text')
        pass
        t_7.extend((
            '&#8203;<span class="v">&#x2068;',
            escape(l_1_text),
            '&#x2069;</span>',
        ))
        return concat(t_7)
    context.exported_vars.add('v')
    context.vars['v'] = l_0_v = Macro(environment, macro, 'v', ('text',), False, False, False, context.eval_ctx.autoescape)
    yield '\n'
    def macro(l_1_r):
        t_8 = []
        l_1_num = resolve('num')
        if l_1_r is missing:
            l_1_r = undefined("parameter 'r' was not provided", name='r')
        pass
        t_8.extend((
            '<tr class="node node-',
            escape((environment.getattr(l_1_r, 'status') or 'unknown')),
            '" data-node-group="',
            escape(environment.getattr(l_1_r, 'group')),
            '"><td class="mono">',
            escape(context.call((undefined(name='v') if l_0_v is missing else l_0_v), environment.getattr(l_1_r, 'node_id'))),
            '</td><td>',
            escape(context.call((undefined(name='status') if l_0_status is missing else l_0_status), environment.getattr(l_1_r, 'status'))),
            '</td><td class="num">',
            escape(context.call((undefined(name='num') if l_1_num is missing else l_1_num), environment.getattr(l_1_r, 'gpus'))),
            '</td><td class="num">',
            escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_r, 'energy_j'))),
            '</td><td class="num">',
        ))
        if (not t_3(environment.getattr(l_1_r, 'clock_offset_ms'))):
            pass
            t_8.extend((
                escape(context.call((undefined(name='num') if l_1_num is missing else l_1_num), t_2(environment.getattr(l_1_r, 'clock_offset_ms'), 1), 4)),
                ' ms',
            ))
        else:
            pass
            t_8.append(
                '–',
            )
        t_8.append(
            '</td><td class="why">',
        )
        if ((environment.getattr(l_1_r, 'status') != 'complete') and environment.getattr(l_1_r, 'reason')):
            pass
            t_8.append(
                escape(context.call((undefined(name='v') if l_0_v is missing else l_0_v), environment.getattr(l_1_r, 'reason'))),
            )
        t_8.append(
            '</td></tr>\n',
        )
        return concat(t_8)
    context.exported_vars.add('node_row')
    context.vars['node_row'] = l_0_node_row = Macro(environment, macro, 'node_row', ('r',), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_nt, l_1_total_provenance):
        t_9 = []
        l_1_ngettext = resolve('ngettext')
        l_1__ = resolve('_')
        l_1_num = resolve('num')
        if l_1_nt is missing:
            l_1_nt = undefined("parameter 'nt' was not provided", name='nt')
        if l_1_total_provenance is missing:
            l_1_total_provenance = None
        pass
        t_9.extend((
            '<p class="small node-counts">',
            escape(context.call((undefined(name='ngettext') if l_1_ngettext is missing else l_1_ngettext), '%(num)s node', '%(num)s nodes', environment.getattr(l_1_nt, 'node_count'))),
            ': ',
        ))
        l_2_loop = missing
        for (l_2_code, l_2_n), l_2_loop in LoopContext(context.call(environment.getattr(environment.getattr(l_1_nt, 'status_counts'), 'items')), undefined):
            _loop_vars = {}
            pass
            t_9.extend((
                escape(context.call((undefined(name='num') if l_1_num is missing else l_1_num), l_2_n, _loop_vars=_loop_vars)),
                ' ',
                escape(context.call((undefined(name='status') if l_0_status is missing else l_0_status), l_2_code, _loop_vars=_loop_vars)),
            ))
            if (not environment.getattr(l_2_loop, 'last')):
                pass
                t_9.append(
                    ', ',
                )
        l_2_loop = l_2_code = l_2_n = missing
        t_9.extend((
            '.</p>\n<p class="small node-source">',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), "Each node's status, reason, energy and clock offset are those of the submission's node records (measurement.nodes): the nodes.* rules check the clock offsets and the GPUs; the energies are as declared.")),
            '</p>\n<table class="node-energy">\n  <thead><tr><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Node')),
            '</th><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Status')),
            '</th><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'GPUs')),
            '</th><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Energy, complete runs')),
            '</th><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Clock offset')),
            '</th><th>',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Why its windows do not all count')),
            '</th></tr></thead>\n  <tbody>\n',
        ))
        for l_2_r in context.call(environment.getattr(l_1_nt, 'group'), 'all'):
            _loop_vars = {}
            pass
            t_9.append(
                escape(context.call((undefined(name='node_row') if l_0_node_row is missing else l_0_node_row), l_2_r, _loop_vars=_loop_vars)),
            )
        l_2_r = missing
        for (l_2_group, l_2_title) in [('problem', context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Nodes not complete')), ('highest', context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Highest energy')), ('lowest', context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Lowest energy'))]:
            l_2_rows = missing
            _loop_vars = {}
            pass
            l_2_rows = context.call(environment.getattr(l_1_nt, 'group'), l_2_group, _loop_vars=_loop_vars)
            _loop_vars['rows'] = l_2_rows
            if (undefined(name='rows') if l_2_rows is missing else l_2_rows):
                pass
                t_9.extend((
                    '<tr class="node-group"><th colspan="6">',
                    escape(l_2_title),
                    '</th></tr>',
                ))
                for l_3_r in (undefined(name='rows') if l_2_rows is missing else l_2_rows):
                    _loop_vars = {}
                    pass
                    t_9.append(
                        escape(context.call((undefined(name='node_row') if l_0_node_row is missing else l_0_node_row), l_3_r, _loop_vars=_loop_vars)),
                    )
                l_3_r = missing
        l_2_group = l_2_title = l_2_rows = missing
        if environment.getattr(l_1_nt, 'problems_not_listed'):
            pass
            t_9.extend((
                '<tr class="node-group"><td colspan="6">',
                escape(context.call((undefined(name='ngettext') if l_1_ngettext is missing else l_1_ngettext), 'and %(num)s more node not complete', 'and %(num)s more nodes not complete', environment.getattr(l_1_nt, 'problems_not_listed'))),
                '</td></tr>',
            ))
        if environment.getattr(l_1_nt, 'others'):
            pass
            t_9.extend((
                '<tr class="node-others"><td colspan="3">',
                escape(context.call((undefined(name='ngettext') if l_1_ngettext is missing else l_1_ngettext), '%(num)s other complete node', '%(num)s other complete nodes', environment.getattr(l_1_nt, 'others'))),
                '</td><td class="num" colspan="3">',
                escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_nt, 'others_low_j'))),
                ' – ',
                escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_nt, 'others_high_j'))),
                ' (',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'median')),
                ' ',
                escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_nt, 'others_median_j'))),
                ')</td></tr>',
            ))
        t_9.extend((
            '  <tr class="node-total"><th colspan="3">',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Total, every node, complete runs (measured)')),
            '</th><td class="num strong">',
            escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_nt, 'total_energy_j'))),
            '</td><td colspan="2">',
        ))
        if l_1_total_provenance:
            pass
            t_9.extend((
                '<span class="prov-word">',
                escape(l_1_total_provenance),
                '</span>',
            ))
        t_9.append(
            '</td></tr>\n  </tbody>\n</table>\n',
        )
        if environment.getattr(l_1_nt, 'condensed'):
            pass
            t_9.extend((
                '<p class="small node-digest">',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'A job of %(num)s nodes is summarised: every node not complete is listed with its reason, then the %(extremes)s nodes of highest and of lowest energy, and the count and range of the others. Every node is listed in the submission (measurement.nodes).', num=context.call((undefined(name='num') if l_1_num is missing else l_1_num), environment.getattr(l_1_nt, 'node_count')), extremes=t_1(context.call(environment.getattr(l_1_nt, 'group'), 'highest')))),
                '</p>',
            ))
        if environment.getattr(l_1_nt, 'cross_checks'):
            pass
            t_9.extend((
                '<table class="cross-checks">\n  <thead><tr><th>',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Cross-check (sourced, not measured)')),
                '</th><th>',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Energy')),
                '</th><th>',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'Difference from the measured total')),
                '</th></tr></thead>\n  <tbody>\n',
            ))
            for l_2_c in environment.getattr(l_1_nt, 'cross_checks'):
                _loop_vars = {}
                pass
                t_9.extend((
                    '  <tr class="cross-check" data-source="',
                    escape(environment.getattr(l_2_c, 'source')),
                    '" data-provenance="sourced"><td>',
                    escape(context.call((undefined(name='source') if l_0_source is missing else l_0_source), environment.getattr(l_2_c, 'source'), _loop_vars=_loop_vars)),
                ))
                if environment.getattr(l_2_c, 'note'):
                    pass
                    t_9.extend((
                        '<br><span class="small muted">',
                        escape(context.call((undefined(name='v') if l_0_v is missing else l_0_v), environment.getattr(l_2_c, 'note'), _loop_vars=_loop_vars)),
                        '</span>',
                    ))
                t_9.append(
                    '</td>\n',
                )
                if (environment.getattr(l_2_c, 'status') == 'recorded'):
                    pass
                    t_9.extend((
                        '<td class="num">',
                        escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_2_c, 'energy_j'), _loop_vars=_loop_vars)),
                        '</td><td class="num">',
                    ))
                    if (not t_3(environment.getattr(l_2_c, 'difference_pct'))):
                        pass
                        t_9.extend((
                            escape(context.call((undefined(name='num') if l_1_num is missing else l_1_num), environment.getattr(l_2_c, 'difference_pct'), 3, _loop_vars=_loop_vars)),
                            ' %',
                        ))
                    else:
                        pass
                        t_9.append(
                            '–',
                        )
                    t_9.append(
                        '</td>\n',
                    )
                else:
                    pass
                    t_9.extend((
                        '<td colspan="2">',
                        escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'unavailable', _loop_vars=_loop_vars)),
                        '</td>',
                    ))
                t_9.append(
                    '</tr>\n',
                )
            l_2_c = missing
            t_9.extend((
                '  </tbody>\n</table>\n<p class="small">',
                escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), "The cluster's own accounting covers the whole job (idle time, warm-up, and whatever its plugin measures): it is recorded beside the measured total, never in its place.")),
                '</p>\n',
            ))
        return concat(t_9)
    context.exported_vars.add('node_section')
    context.vars['node_section'] = l_0_node_section = Macro(environment, macro, 'node_section', ('nt', 'total_provenance'), False, False, False, context.eval_ctx.autoescape)
    def macro(l_1_pred):
        t_10 = []
        l_1__ = resolve('_')
        l_1_num = resolve('num')
        l_1_term = resolve('term')
        if l_1_pred is missing:
            l_1_pred = undefined("parameter 'pred' was not provided", name='pred')
        pass
        t_10.extend((
            escape(context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_pred, 'energy_j'))),
            ' (',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), '%(confidence)s %% prediction interval: %(low)s to %(high)s', confidence=context.call((undefined(name='num') if l_1_num is missing else l_1_num), (environment.getattr(l_1_pred, 'confidence') * 100)), low=context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_pred, 'low_j')), high=context.call((undefined(name='kwh') if l_0_kwh is missing else l_0_kwh), environment.getattr(l_1_pred, 'high_j')))),
            '); ',
            escape(context.call((undefined(name='_') if l_1__ is missing else l_1__), 'predicted for a full run of %(full)s (unit: %(unit)s) from %(n)s complete measured runs totalling %(measured)s', full=context.call((undefined(name='num') if l_1_num is missing else l_1_num), environment.getattr(l_1_pred, 'full_run_units'), 9), unit=context.call((undefined(name='term') if l_1_term is missing else l_1_term), environment.getattr(l_1_pred, 'unit')), n=environment.getattr(l_1_pred, 'n_runs'), measured=context.call((undefined(name='num') if l_1_num is missing else l_1_num), environment.getattr(l_1_pred, 'measured_units'), 9))),
        ))
        return concat(t_10)
    context.exported_vars.add('prediction_text')
    context.vars['prediction_text'] = l_0_prediction_text = Macro(environment, macro, 'prediction_text', ('pred',), False, False, False, context.eval_ctx.autoescape)

blocks = {}
debug_info = '4=30&5=50&6=62&7=74&9=88&10=96&15=134&16=146&17=166&19=168&21=181&22=188&23=192&24=194&26=209&27=216&28=233&31=248&32=255&34=259&36=266&37=271&38=285&39=310&43=319&48=325'
# Compiled from nodes.j2 by python -m une_eval.report.precompiled.

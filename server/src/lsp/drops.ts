// Plugs the 444 engine (core/drops) into the editor features through their small hook interfaces:
// hover on a 444 source explains which requests it drops (with the drop count from the logs when
// known), and the rule list uses the engine's own words for each rule's condition.

import type { ConfigGraph } from '../core/configGraph';
import { dropsIndex, resolveDirective } from '../core/drops/index';
import { explain444 } from '../core/drops/explain';
import { conditionWords, sources444 } from '../core/drops/sources';
import { ruleKey } from '../core/trace';
import { pathToUri, toLspRange } from '../service/convert';
import { default444, type Explain444, type List444, type Rule444Entry } from '../service/rules444Hooks';
import type { LogService } from './logs';

export function engineExplain444(logs: LogService): Explain444 {
  return {
    explain(d, view) {
      if (!view.graph) return default444.explain(d, view);
      const ix = dropsIndex(view.graph);
      const target = resolveDirective(ix, d);
      if (!target) return default444.explain(d, view);
      const counts = logs.countsIfReady(view.graph.mainFile);
      const c = counts?.counts.get(ruleKey({ file: target.file, range: target.range, directive: target }));
      const summary = counts ? { count: c?.exactCount ?? 0, possible: c?.possibleCount } : undefined;
      return explain444(ix, target, summary) ?? default444.explain(d, view);
    },
  };
}

export const engineList444: List444 = {
  list(graphs: readonly ConfigGraph[]): Rule444Entry[] {
    const out: Rule444Entry[] = [];
    const seen = new Set<string>();
    for (const g of graphs) {
      const ix = dropsIndex(g);
      for (const src of sources444(ix)) {
        const key = `${src.d.file}:${src.d.range.start.offset}`;
        if (seen.has(key)) continue;
        seen.add(key);
        out.push({
          uri: pathToUri(src.d.file),
          range: toLspRange(src.d.range),
          title: [src.d.name, ...src.d.args.map((a) => a.raw)].join(' '),
          condition: conditionWords(ix, src),
        });
      }
    }
    return out;
  },
};

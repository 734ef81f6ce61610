import { html } from '../../src/dashboard/html';
import { dataDiff } from '../../src/dashboard/views/data-diff';

describe('dashboard rendering', () => {
  it('escapes every interpolated value, in text and in attributes, and keeps nested templates as markup', () => {
    const hostile = `"><script>alert('x')</script>&`;
    const out = html`<a title="${hostile}">${hostile}</a>${html`<b>${hostile}</b>`}${[hostile, html`<i>ok</i>`]}`.text;
    expect(out).toBe(
      '<a title="&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;">&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</a>' +
        '<b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;</b>&quot;&gt;&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;<i>ok</i>',
    );
    expect(html`${null}${undefined}${false}${0}`.text).toBe('0');
  });

  it('diffs job data leaf by leaf: changed, added and removed fields with their paths', () => {
    const rows = dataDiff({ to: 'a@x', opts: { retries: 1, tags: ['a', 'b'] }, gone: true }, { to: 'b@x', opts: { retries: 1, tags: ['a', 'c'] }, extra: null });
    expect(rows).toEqual([
      { path: 'to', change: 'changed', before: '"a@x"', after: '"b@x"' },
      { path: 'opts.tags[1]', change: 'changed', before: '"b"', after: '"c"' },
      { path: 'gone', change: 'removed', before: 'true' },
      { path: 'extra', change: 'added', after: 'null' },
    ]);
    expect(dataDiff({ a: 1 }, { a: 1 })).toEqual([]);
  });
});
